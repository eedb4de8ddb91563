"""Login, logout, password change, the home page and the Django admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import User
from core.roles import Role
from core.services import user_create

pytestmark = pytest.mark.django_db


def test_login_then_home_shows_role_and_region(client, users):
    response = client.post(reverse("login"), {"username": "hunchun", "password": "secret-pass-123"})
    assert response.status_code == 302 and response.url == reverse("home")
    page = client.get(reverse("home"))
    assert page.context["user"].username == "hunchun"
    html = page.content.decode()
    assert "珲春市" in html and "222404000000" in html
    assert "县(市、区)民政干部" in html  # the role, in Chinese by default


def test_wrong_password_is_refused(client, users):
    response = client.post(reverse("login"), {"username": "hunchun", "password": "nope"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_pages_require_login(client, tree):
    for name in [
        "home",
        "dashboard",
        "region-browser",
        "facilities:index",
        "visits:index",
        "funding:index",
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name


def test_logout_is_a_post(client, users):
    client.force_login(users[Role.COUNTY_OFFICER])
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, users):
    client.force_login(users[Role.COUNTY_OFFICER])
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "secret-pass-123",
            "new_password1": "Jilin-new-2024!",
            "new_password2": "Jilin-new-2024!",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="hunchun").check_password("Jilin-new-2024!")


def test_admin_is_for_administrators_only(client, users):
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    assert client.get("/admin/core/region/").status_code == 200
    assert client.get("/admin/core/user/").status_code == 200
    client.force_login(users[Role.COUNTY_OFFICER])
    assert client.get("/admin/core/region/").status_code == 302


def test_navigation_reaches_every_module(client, users):
    client.force_login(users[Role.COUNTY_OFFICER])
    html = client.get(reverse("home")).content.decode()
    for name in ["facilities:index", "visits:index", "funding:index", "dashboard"]:
        assert f'href="{reverse(name)}"' in html
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    ("role", "region_code"),
    [
        (Role.COUNTY_OFFICER, "222400000000"),
        (Role.TOWNSHIP_STAFF, "222404000000"),
        (Role.PREFECTURE_OFFICER, "220000000000"),
        (Role.COUNTY_OFFICER, None),
    ],
)
def test_an_account_region_must_fit_its_role(tree, role, region_code):
    region = tree["province"].__class__.objects.filter(code=region_code).first()
    with pytest.raises(ValidationError) as error:
        user_create(username="x", password="p", role=role, region=region)
    assert "region" in error.value.message_dict


def test_user_create_gives_partner_grants_and_admin_the_admin_site(tree):
    partner = user_create(
        username="p",
        password="pw-123456",
        role=Role.PARTNER,
        region=tree["province"],
        datasets=["funding"],
    )
    assert list(partner.dataset_grants.values_list("dataset", flat=True)) == ["funding"]
    admin = user_create(
        username="a", password="pw-123456", role=Role.PROVINCIAL_ADMIN, region=tree["province"]
    )
    assert admin.is_staff and admin.check_password("pw-123456")


def test_health_check_answers_without_login(client, db):
    response = client.get("/healthz/")
    # a page rendered through the template engine and the static files (tests/test_deploy.py)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
