"""The Django admin in Chinese mode: no English left in the strings the project controls."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from core.roles import Role

pytestmark = pytest.mark.django_db

# Proper names and codes that are not prose: usernames, task paths, time zones, "&rsaquo;".
ALLOWED = re.compile(
    r"^(admin|finance|hunchun|leader|township|visitor|yanbian|&rsaquo;( \w+)?|[\w.]+\.[\w.]+|"
    r"Asia/Shanghai|Every minute Asia/Shanghai|Task Name|Periodic Tasks Using This Schedule|"
    r"Token|Crontab translation:|Human readable:)$"
)


def english_lines(html: str) -> set[str]:
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    html = re.sub(r'<select name="timezone".*?</select>', "", html, flags=re.S)
    lines = {line.strip() for line in re.sub(r"<[^>]+>", "\n", html).splitlines()}
    return {
        line
        for line in lines
        if re.search(r"[A-Za-z]{3}", line)
        and not re.search(r"[\u4e00-\u9fff]", line)
        and not ALLOWED.match(line)
    }


def test_admin_pages_speak_chinese(client, users):
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    found = {}
    for model in admin.site._registry:
        meta = model._meta
        for name in ("changelist", "add"):
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_{name}")
            response = client.get(url)
            if response.status_code == 200:
                for line in english_lines(response.content.decode()):
                    found.setdefault(line, url)
    assert found == {}


def test_permission_pickers_are_labelled_in_the_readers_language(client, users):
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    html = client.get(reverse("admin:auth_group_add")).content.decode()
    assert "可以添加老年人" in html
    assert "Can add older person" not in html
    html = client.get(reverse("admin:core_user_change", args=[users[Role.PROVINCIAL_ADMIN].pk]))
    assert "Can add older person" not in html.content.decode()
