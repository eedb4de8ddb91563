import os
import shutil

import pytest

from core.models import Region
from core.roles import Role
from tests.factories import TownshipFactory, UserFactory, VillageFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


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
