import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from core.models import Region
from core.roles import Role
from eldercare.celery import app as celery_app
from tests.factories import TownshipFactory, UserFactory, VillageFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "var" / "screenshots"
REDIS_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def require(condition: bool, reason: str) -> None:
    """Skip locally when a service or tool is missing; under CI=true a missing one fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: nothing may skip)")
    pytest.skip(reason)


@pytest.fixture
def chromium_path():
    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    )
    require(path is not None, "Debian's chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture
def tree(db):
    """Two counties in different prefectures, each with a township and a village.

    珲春市 (延边州) and 公主岭市 (长春市): enough to tell every role's subtree apart.
    """
    hunchun = Region.objects.get(code="222404000000")
    gongzhuling = Region.objects.get(code="220184000000")
    hc_town = TownshipFactory(county=hunchun, code="222404101000", name="春化镇")
    hc_village = VillageFactory(parent=hc_town, code="222404101201", name="东阿拉村")
    hc_town2 = TownshipFactory(county=hunchun, code="222404102000", name="敬信镇")
    hc_village2 = VillageFactory(parent=hc_town2, code="222404102201", name="防川村")
    gz_town = TownshipFactory(county=gongzhuling, code="220184101000", name="范家屯镇")
    gz_village = VillageFactory(parent=gz_town, code="220184101201", name="大房村")
    return {
        "province": Region.objects.get(code="220000000000"),
        "yanbian": Region.objects.get(code="222400000000"),
        "changchun": Region.objects.get(code="220100000000"),
        "hunchun": hunchun,
        "gongzhuling": gongzhuling,
        "hc_town": hc_town,
        "hc_village": hc_village,
        "hc_town2": hc_town2,
        "hc_village2": hc_village2,
        "gz_town": gz_town,
        "gz_village": gz_village,
    }


@pytest.fixture
def users(tree):
    """One account of every role (the visitor in 东阿拉村, township staff in 春化镇)."""
    return {
        Role.PROVINCIAL_ADMIN: UserFactory(
            username="admin",
            role=Role.PROVINCIAL_ADMIN,
            region=tree["province"],
            is_staff=True,
            is_superuser=True,
        ),
        Role.PROVINCIAL_LEADER: UserFactory(
            username="leader", role=Role.PROVINCIAL_LEADER, region=tree["province"]
        ),
        Role.PREFECTURE_OFFICER: UserFactory(
            username="yanbian", role=Role.PREFECTURE_OFFICER, region=tree["yanbian"]
        ),
        Role.COUNTY_OFFICER: UserFactory(
            username="hunchun", role=Role.COUNTY_OFFICER, region=tree["hunchun"]
        ),
        Role.TOWNSHIP_STAFF: UserFactory(
            username="township", role=Role.TOWNSHIP_STAFF, region=tree["hc_town"]
        ),
        Role.VISITOR: UserFactory(username="visitor", role=Role.VISITOR, region=tree["hc_village"]),
        Role.PARTNER: UserFactory(username="finance", role=Role.PARTNER, region=tree["province"]),
    }


@pytest.fixture
def live_server(transactional_db):
    """A live server per test, stopped before the test database is dropped.

    pytest-django's own is session-scoped and outlives the database on PostgreSQL.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for production, not for hundreds of test logins."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def browser(chromium_path, live_server):
    """Closed before the live server stops, so no keep-alive request thread outlives it.

    Playwright's sync API switches greenlets, and Django's connections are per context: a test
    creates its database rows (fixtures listed before `browser`) before Playwright starts,
    otherwise their connection is orphaned and PostgreSQL cannot drop the test database.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def database_url_for_the_worker() -> str:
    """The test database the test runs against, as a DATABASE_URL the worker can use."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return ""  # the worker's settings fall back to the same SQLite file (TEST NAME)
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.fixture
def worker(transactional_db):
    require(redis_answers(), "Redis is not reachable on 127.0.0.1:6379")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(CELERY_BROKER_URL=REDIS_URL, CELERY_RESULT_BACKEND=REDIS_URL, DJANGO_DEBUG="1")
    database_url = database_url_for_the_worker()
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        # SQLite: point the worker's main database at the test database file.
        env["DJANGO_SQLITE_PATH"] = str(connection.settings_dict["NAME"])
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "eldercare",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def broker():
    """Send tasks to Redis instead of running them in-process, for this test only."""
    # The app reads Django's CELERY_* settings: override them under those names.
    keys = ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
    saved = {key: celery_app.conf.get(key) for key in keys}
    celery_app.conf.update(
        CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=REDIS_URL, CELERY_RESULT_BACKEND=REDIS_URL
    )
    _forget_broker_connections()
    assert celery_app.conf.task_always_eager is False
    assert celery_app.conf.broker_url == REDIS_URL
    yield
    celery_app.conf.update(saved)
    _forget_broker_connections()


def _forget_broker_connections():
    """Eager tasks earlier in the run opened a pool on the in-memory broker: drop it."""
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None


@pytest.fixture(autouse=True)
def fresh_cache():
    """Login failures and API throttle counts live in the cache: none leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
