"""Production settings fail fast, pass `check --deploy`, and docker-compose.yml agrees."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="portal.example.cn")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_with_nothing_set_it_runs_locally_and_answers_only_local_hosts():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'], "
        "s.CELERY_TASK_ALWAYS_EAGER)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"
    assert "localhost" in result.stdout and "sqlite3" in result.stdout
    assert result.stdout.strip().endswith("True")


def test_check_deploy_reports_nothing_under_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k3-" + "a1b2c3d4e5f6g7h8i9j0" * 3,
        DJANGO_ALLOWED_HOSTS="portal.mca.jl.gov.cn",
        DATABASE_URL="postgres://eldercare:secret@db:5432/eldercare",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def compose_command():
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_file_is_valid_and_matches_the_settings():
    command = compose_command()
    require(
        command is not None, "neither `docker compose` nor Debian's docker-compose is installed"
    )
    env = {**os.environ, "DJANGO_SECRET_KEY": "compose-check", "POSTGRES_PASSWORD": "compose-check"}
    result = subprocess.run(
        [*command, "config"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    config = result.stdout
    for service in ("db:", "redis:", "web:", "worker:", "beat:"):
        assert service in config
    for variable in (
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "healthcheck",
    ):
        assert variable in config
    assert "gunicorn" in config and "celery" in config


def test_every_environment_variable_the_settings_read_is_documented():
    import re

    settings_source = (ROOT / "eldercare" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    names = set(re.findall(r'env(?:_bool|_list|iron\.get)\(\s*"([A-Z_]+)"', settings_source))
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= names
    undocumented = sorted(name for name in names if f"`{name}`" not in readme)
    assert not undocumented
