import pytest
from django.core.management import call_command

from core.models import Region, User
from core.roles import Role

pytestmark = pytest.mark.django_db


def test_generate_demo_creates_regions_and_one_account_per_role():
    call_command("generate_demo", "--scale", "0.1")
    assert Region.objects.filter(level="township").count() == 120  # 2 per county
    assert Region.objects.filter(level="village").count() == 120
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for user in User.objects.select_related("region"):
        user.full_clean()
        assert user.check_password("demo-eldercare-2023")
    # running it again changes nothing
    call_command("generate_demo", "--scale", "0.1")
    assert Region.objects.filter(level="village").count() == 120
    assert User.objects.count() == len(Role.values)


def test_generate_demo_real_scale_matches_the_province_size():
    from core.demo import REAL_TOWNSHIPS_PER_COUNTY, REAL_VILLAGES_PER_TOWNSHIP

    assert round(REAL_TOWNSHIPS_PER_COUNTY * 60) in range(900, 960)
    assert round(REAL_TOWNSHIPS_PER_COUNTY * REAL_VILLAGES_PER_TOWNSHIP * 60) in range(9000, 9700)
