"""Deployment: health check, error pages, the demo generator's production guard, the proxy."""

import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from core.demo import DEMO_PASSWORD
from core.models import User
from core.roles import Role
from tests.conftest import require
from tests.test_settings import compose_command

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_health_check_renders_a_page_through_templates_and_static_files(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert 'data-testid="health"' in response.content.decode()
    assert "bootstrap.min.css" in response.content.decode()


def test_health_check_fails_when_the_static_manifest_lacks_an_entry(client, db, tmp_path):
    # given production's manifest storage over an empty STATIC_ROOT (collectstatic never ran
    # with it: issue 9's image)
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    client.raise_request_exception = False
    with override_settings(STORAGES=MANIFEST_STORAGE, STATIC_ROOT=tmp_path):
        # when the health check and a page are fetched
        health = client.get("/healthz/")
        login = client.get(reverse("login"))
    # then both are 500, and the error page is the portal's Chinese one, still rendered
    assert health.status_code == 500
    assert login.status_code == 500
    assert "服务器" in login.content.decode() or "出错" in login.content.decode()
    assert 'data-testid="error-500"' in login.content.decode()


def test_404_is_the_portals_chinese_page_and_api_404_stays_json(client, users):
    client.force_login(users[Role.COUNTY_OFFICER])
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    html = page.content.decode()
    assert 'data-testid="error-404"' in html and "页面不存在" in html
    assert 'class="navbar' in html  # the portal's layout
    api = client.get("/api/v1/no-such-endpoint/")
    assert api.status_code == 404
    assert api["Content-Type"].startswith("application/json")
    assert api.json()["detail"]


def test_403_is_the_portals_chinese_page_and_api_403_stays_json(client, users):
    client.force_login(users[Role.VISITOR])
    page = client.get(reverse("facilities:create"))
    assert page.status_code == 403
    html = page.content.decode()
    assert 'data-testid="error-403"' in html and "没有权限" in html
    client.logout()
    api = client.get("/api/v1/elders/")
    assert api.status_code in (401, 403)
    assert api["Content-Type"].startswith("application/json")


def test_500_page_renders_without_a_request_context():
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert 'data-testid="error-500"' in html and "出错" in html


def test_generate_demo_refuses_a_production_database_without_force(db):
    with override_settings(PRODUCTION=True), pytest.raises(CommandError, match="--force"):
        call_command("generate_demo", "--scale", "0.01", stdout=io.StringIO())
    assert not User.objects.exists()


def test_under_production_settings_demo_accounts_never_get_the_published_password(db):
    import random

    from core import demo

    out = io.StringIO()
    with override_settings(PRODUCTION=True):
        demo.generate(scale=0.01, rng=random.Random(1), stdout=out)
    users = list(User.objects.all())
    assert len(users) == len(Role.values)
    printed = out.getvalue()
    assert DEMO_PASSWORD not in printed
    for user in users:
        assert not user.check_password(DEMO_PASSWORD)
        password = re.search(rf"{user.username}\s+password (\S+)", printed).group(1)
        assert user.check_password(password)


def compose_config() -> str:
    command = compose_command()
    require(command is not None, "docker-compose is not installed")
    env = {**os.environ, "DJANGO_SECRET_KEY": "ci-check", "POSTGRES_PASSWORD": "ci-check"}
    result = subprocess.run(
        [*command, "config"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_compose_publishes_only_the_proxy_and_gunicorn_trusts_only_the_proxy():
    import yaml

    config = yaml.safe_load(compose_config())
    services = config["services"]
    # gunicorn is reachable only inside the network; nginx is the one published service
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert services["proxy"]["image"].startswith("nginx:")
    web = services["web"]
    assert "8000" in [str(port) for port in web.get("expose", [])]
    proxy_ip = services["proxy"]["networks"]["backend"]["ipv4_address"]
    shell_line = web["command"][-1]  # sh -c "migrate && exec gunicorn ..."
    gunicorn = shell_line[shell_line.index("gunicorn") :]
    assert "\n" not in gunicorn
    assert f"--forwarded-allow-ips {proxy_ip}" in gunicorn
    # with no certificate, plain HTTP and no redirect to an HTTPS port nothing serves
    assert web["environment"]["DJANGO_HTTPS"] == "0"
    assert "healthz" in " ".join(web["healthcheck"]["test"])


def test_nginx_overwrites_the_forwarded_headers_the_client_sent():
    for name in ("nginx.conf", "nginx-https.conf"):
        conf = (ROOT / "deploy" / name).read_text()
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
        assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf  # not appended
        assert "proxy_pass http://web:8000" in conf
    https = (ROOT / "deploy" / "nginx-https.conf").read_text()
    assert "listen 443 ssl" in https and "ssl_certificate /etc/nginx/certs/" in https
    assert "return 301 https://" in https


def test_plain_http_production_settings_do_not_redirect_or_mark_cookies_secure():
    from tests.test_settings import manage

    script = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "hasattr(s, 'SECURE_PROXY_SSL_HEADER') and s.SECURE_PROXY_SSL_HEADER is not None)"
    )
    common = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
    }
    plain = manage("shell", "--no-imports", "-c", script, DJANGO_HTTPS="0", **common)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.split() == ["False", "False", "0", "False"]
    https = manage("shell", "--no-imports", "-c", script, **common)
    assert https.stdout.split() == ["True", "True", "31536000", "False"]
