"""The production image's static files, without a Docker engine (issue 9).

The Dockerfile's own `collectstatic` line runs as written, with the Dockerfile's ENV, into a
temporary STATIC_ROOT; then gunicorn serves the portal from those files under production
settings (DJANGO_DEBUG=0: manifest storage, whitenoise) against the test database with demo data,
and the crawl's pages are fetched for logged-in roles: none may answer 500.
"""

import http.cookiejar
import json
import os
import random
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection

from core.models import User
from tests import crawl
from tests.conftest import database_url_for_the_worker

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
PASSWORD = "prod-check-7f3a9c"


def dockerfile_env() -> dict[str, str]:
    env = {}
    for line in re.findall(r"^ENV\s+(.+)$", DOCKERFILE, flags=re.MULTILINE):
        for item in shlex.split(line):
            key, _, value = item.partition("=")
            env[key] = value
    return env


def dockerfile_collectstatic() -> str:
    lines = [
        line for line in re.findall(r"^RUN\s+(.+)$", DOCKERFILE, re.M) if "collectstatic" in line
    ]
    assert len(lines) == 1, "the Dockerfile has one RUN line with collectstatic"
    return lines[0]


def clean_environment(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """STATIC_ROOT as the image builds it (`python` is this virtualenv's)."""
    root = tmp_path_factory.mktemp("staticfiles")
    env = clean_environment(**dockerfile_env(), DJANGO_STATIC_ROOT=str(root))
    result = subprocess.run(
        ["sh", "-c", dockerfile_collectstatic()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_the_dockerfile_defaults_to_production_and_keeps_no_build_secret():
    env = dockerfile_env()
    assert env["DJANGO_DEBUG"] == "0"
    assert "DJANGO_SECRET_KEY" not in env  # the build-time key is inline on the RUN line only


def test_the_dockerfiles_collectstatic_writes_the_manifest_the_pages_need(static_root):
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    for name in ("vendor/bootstrap/bootstrap.min.css", "css/portal.css", "admin/css/base.css"):
        assert name in manifest["paths"]
        assert (static_root / manifest["paths"][name]).exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def demo_data(transactional_db, settings):
    """Demo regions, accounts, facilities and older people, committed (gunicorn reads them)."""
    from core import demo as core_demo
    from facilities import demo as facility_demo
    from visits import demo as visit_demo

    out = StringIO()
    for module, label in ((core_demo, "core"), (facility_demo, "facilities"), (visit_demo, "v")):
        module.generate(scale=0.01, rng=random.Random(f"2023:{label}"), stdout=out)
    # passwords with a hasher the production settings know (the suite's default is MD5)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    User.objects.filter(username__in=["admin", "hunchun"]).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )


@pytest.fixture
def gunicorn(demo_data, static_root, tmp_path):
    port = free_port()
    env = clean_environment(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="production-static-check-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_HTTPS="0",
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_DB_CONN_MAX_AGE="0",
    )
    database_url = database_url_for_the_worker()
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["DJANGO_SQLITE_PATH"] = str(connection.settings_dict["NAME"])
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "eldercare.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{base}/healthz/", timeout=10).status == 200:
                    break
            except OSError:  # not listening yet, or still starting (timeout)
                assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.5)
        else:
            pytest.fail(
                "gunicorn did not answer /healthz/: " + (tmp_path / "gunicorn.log").read_text()
            )
        yield base, tmp_path / "gunicorn.log"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def logged_in_opener(base, username):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    try:
        opener.open(request, timeout=30)
        pytest.fail(f"{username} did not log in (no redirect)")
    except urllib.error.HTTPError as answer:
        assert answer.code == 302, answer.read()[:500]
    return opener


def fetch(opener, url) -> tuple[int, bytes]:
    try:
        response = opener.open(url, timeout=60)
        return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("username", ["hunchun", "admin"])
def test_pages_render_under_production_settings_from_the_images_static_files(gunicorn, username):
    # given gunicorn under DJANGO_DEBUG=0 serving the Dockerfile's collected static files
    base, log = gunicorn
    opener = logged_in_opener(base, username)
    user = User.objects.get(username=username)
    # when the role fetches the crawl's pages (HTML, GET) and the static files they link
    pages = [path for name, path, post in crawl.crawl_plan(user, thorough=False)]
    pages = [path for path in pages if not path.startswith("/api/")]
    failures, rendered, assets = [], 0, set()
    for path in dict.fromkeys(pages):
        status, body = fetch(opener, base + path)
        if status >= 500:
            failures.append(f"{path}: {status}")
        elif status == 200 and b"<html" in body[:400]:
            rendered += 1
            assets.update(re.findall(rb'(?:href|src)="(/static/[^"]+)"', body))
    for asset in sorted(assets):
        status, _body = fetch(opener, base + asset.decode())
        if status != 200:
            failures.append(f"{asset.decode()}: {status}")
    # then nothing answered 500, the pages link hashed (manifest) names, and whitenoise serves them
    assert not failures, "\n".join(failures) + "\n" + log.read_text()[-3000:]
    assert rendered > 10
    assert any(re.search(rb"bootstrap\.min\.[0-9a-f]{12}\.css", asset) for asset in assets)
