"""Chinese by default, English by the switch, and catalogs compiled and current."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from core.roles import Role
from tests.conftest import require

pytestmark = pytest.mark.django_db
LOCALE = Path(__file__).resolve().parent.parent / "locale"


def test_pages_are_in_chinese_by_default_even_for_an_english_browser(client, users):
    client.force_login(users[Role.COUNTY_OFFICER])
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in html
    assert "养老服务" in html and "巡访" in html
    assert "Home visits" not in html


def test_language_switch_to_english_and_back(client, users):
    client.force_login(users[Role.COUNTY_OFFICER])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in html and "Home visits" in html and "County officer" in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "巡访" in client.get(reverse("home")).content.decode()


def test_login_page_is_in_chinese(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "登录" in html


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_compiled_catalogs_are_committed_and_current(language, tmp_path):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = LOCALE / language / "LC_MESSAGES" / "django.mo"
    assert po.exists() and mo.exists()
    require(shutil.which("msgfmt") is not None, "gettext's msgfmt is not installed")
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True)
    assert fresh.read_bytes() == mo.read_bytes(), f"{mo} is stale: run `make messages`"


def test_every_chinese_message_is_translated():
    po = (LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]
    untranslated = [
        e
        for e in entries
        if 'msgstr ""' in e.splitlines()[-1]
        and "msgid_plural" not in e
        and e.strip().splitlines()[-1] == 'msgstr ""'
    ]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert not untranslated, untranslated[:3]
    assert not fuzzy, fuzzy[:3]
