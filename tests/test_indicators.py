"""Each indicator's arithmetic on small handcrafted data, targets, and idempotent recomputes."""

import datetime
from decimal import Decimal

import pytest

from core.models import Region
from core.roles import Role
from facilities.services import facility_create, facility_update
from funding.models import Renovation
from indicators.choices import Comparison, IndicatorCode
from indicators.definitions import INDICATORS
from indicators.models import IndicatorValue, KeyElderBaseline, Target
from indicators.services import applicable_target, rollup_month
from tests.factories import ElderFactory, VisitorFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db
D = datetime.date
OCT = D(2023, 10, 1)
AFTER = D(2023, 12, 15)  # "today": October is a finished month


def visit(elder, on, visitor):
    return Visit.objects.create(
        elder=elder,
        visited_on=on,
        visitor=visitor,
        method="in_person",
        health="normal",
        finances="normal",
        safety="normal",
        needs="normal",
    )


def stored(indicator, region, month=OCT):
    row = IndicatorValue.objects.get(indicator=indicator, region=region, month=month)
    return row.numerator, row.denominator, row.value


@pytest.fixture
def october_elders(tree):
    """Key elders of October 2023 in 东阿拉村 (珲春市) and one in 大房村 (公主岭市)."""
    village = tree["hc_village"]
    visitor = VisitorFactory(region=village)
    visited = ElderFactory(name="甲", village=village)
    visit(visited, D(2023, 10, 5), visitor)
    not_visited = ElderFactory(name="乙", village=village)
    visit(not_visited, D(2023, 9, 28), visitor)  # September does not count for October
    # turns 80 on 20 October with no recorded category: key in October (age at month's end)
    ElderFactory(name="丙", village=village, birth_date=D(1943, 10, 20), is_living_alone=False)
    # turns 80 in November: not yet key in October
    ElderFactory(name="丁", village=village, birth_date=D(1943, 11, 2), is_living_alone=False)
    # died on 10 October: still key in October (at home during part of it), not visited
    ElderFactory(name="戊", village=village, residence="deceased", residence_since=D(2023, 10, 10))
    # died in September: not key in October
    ElderFactory(name="己", village=village, residence="deceased", residence_since=D(2023, 9, 20))
    # archived in November: not key in October
    ElderFactory(name="庚", village=village, archived_on=D(2023, 11, 5))
    gz_visitor = VisitorFactory(region=tree["gz_village"])
    gz = ElderFactory(name="辛", village=tree["gz_village"])
    visit(gz, D(2023, 10, 31), gz_visitor)
    return visitor


def test_visit_rate_at_every_level(tree, october_elders):
    # given the key elders above (甲 visited; 乙, 丙, 戊 not; 辛 in 公主岭 visited)
    # when October is rolled up
    rollup_month(month=OCT, today=AFTER)
    # then each level counts its own subtree, by hand
    rate = IndicatorCode.VISIT_RATE
    assert stored(rate, tree["hc_village"]) == (1, 4, Decimal("25.0000"))
    assert stored(rate, tree["hc_town"]) == (1, 4, Decimal("25.0000"))
    assert stored(rate, tree["hunchun"]) == (1, 4, Decimal("25.0000"))
    assert stored(rate, tree["yanbian"]) == (1, 4, Decimal("25.0000"))
    assert stored(rate, tree["gongzhuling"]) == (1, 1, Decimal("100.0000"))
    assert stored(rate, tree["province"]) == (2, 5, Decimal("40.0000"))
    # an area without key elders has no rate (not 0%, not 100%) and no verdict
    assert stored(rate, tree["hc_village2"]) == (0, 0, None)
    empty = IndicatorValue.objects.get(indicator=rate, region=tree["hc_town2"], month=OCT)
    assert empty.value is None and empty.met is None
    # the province-wide 100% target of the seeds applied
    province = IndicatorValue.objects.get(indicator=rate, region=tree["province"], month=OCT)
    assert (province.target_value, province.met) == (Decimal("100.00"), False)


def test_the_eightieth_birthday_month_and_a_visit_after_it(tree, october_elders):
    # given the person turning 80 on 20 October is visited on 25 October
    from visits.models import Elder

    visit(Elder.objects.get(name="丙"), D(2023, 10, 25), october_elders)
    rollup_month(month=OCT, today=AFTER)
    assert stored(IndicatorCode.VISIT_RATE, tree["hc_village"])[:2] == (2, 4)
    # and in September, before the birthday month, the person is not a key elder at all
    rollup_month(month=D(2023, 9, 1), today=AFTER)
    assert stored(IndicatorCode.VISIT_RATE, tree["hc_village"], D(2023, 9, 1))[:2] == (1, 4)


def test_archive_rate_against_the_county_baseline(tree, october_elders):
    KeyElderBaseline.objects.create(region=tree["hunchun"], year=2023, count=8)
    KeyElderBaseline.objects.create(region=tree["hunchun"], year=2022, count=100)  # older
    KeyElderBaseline.objects.create(region=tree["gongzhuling"], year=2023, count=2)
    rollup_month(month=OCT, today=AFTER)
    rate = IndicatorCode.ARCHIVE_RATE
    assert stored(rate, tree["hunchun"]) == (4, 8, Decimal("50.0000"))
    assert stored(rate, tree["changchun"]) == (1, 2, Decimal("50.0000"))
    assert stored(rate, tree["province"]) == (5, 10, Decimal("50.0000"))
    # a county without a baseline has no rate
    yanji = Region.objects.get(code="222401000000")
    assert stored(rate, yanji) == (0, 0, None)


@pytest.fixture
def network(users, tree):
    officer = users[Role.COUNTY_OFFICER]
    common = {"user": officer, "effective_date": D(2022, 1, 1), "status": "operating"}
    centre = facility_create(
        name="珲春市社会福利中心",
        kind="county_welfare_center",
        region=tree["hunchun"],
        ownership="public",
        operating_model="public_operated",
        total_beds=100,
        nursing_beds=60,
        dementia_beds=10,
        residents=50,
        **common,
    )
    township = facility_create(
        name="春化镇福利服务中心",
        kind="township_welfare_center",
        region=tree["hc_town"],
        ownership="public",
        operating_model="public_operated",
        total_beds=40,
        nursing_beds=20,
        residents=30,
        **common,
    )
    facility_create(
        name="东阿拉养老院",
        kind="institution",
        region=tree["hc_village"],
        ownership="private",
        operating_model="private_operated",
        total_beds=200,
        nursing_beds=100,
        dementia_beds=20,
        residents=120,
        **common,
    )
    facility_create(
        name="春化镇嵌入式中心",
        kind="embedded_community_center",
        region=tree["hc_town"],
        ownership="public",
        operating_model="public_built_private_operated",
        total_beds=20,
        nursing_beds=0,
        dementia_beds=5,
        residents=10,
        **common,
    )
    facility_create(
        name="东阿拉村养老大院",
        kind="elderly_care_courtyard",
        region=tree["hc_village"],
        ownership="public",
        operating_model="village_collective",
        **common,
    )
    # the township centre closes on 20 October: it no longer counts at October's end
    facility_update(
        facility=township, user=officer, effective_date=D(2023, 10, 20), status="closed"
    )
    return {"centre": centre, "township": township}  # fmt: skip


def test_facility_indicators_use_the_capacity_history_at_the_months_end(tree, network):
    # given a key elder in 东阿拉村 (demand for a village service) and none in 防川村
    ElderFactory(village=tree["hc_village"])
    ElderFactory(village=tree["gz_village"])
    rollup_month(month=OCT, today=AFTER)
    rollup_month(month=D(2023, 9, 1), today=AFTER)
    hunchun = tree["hunchun"]
    # institutions only (county centre + private institution; the closed one is out)
    assert stored(IndicatorCode.NURSING_BED_RATIO, hunchun)[:2] == (160, 300)
    assert stored(IndicatorCode.NURSING_BED_RATIO_PUBLIC, hunchun) == (60, 100, Decimal("60.0000"))
    # in September the township centre was still open
    sep = D(2023, 9, 1)
    assert stored(IndicatorCode.NURSING_BED_RATIO_PUBLIC, hunchun, sep)[:2] == (80, 140)
    assert stored(IndicatorCode.OCCUPANCY, hunchun)[:2] == (170, 300)
    # dementia beds in every operating facility, embedded centre included
    assert stored(IndicatorCode.DEMENTIA_BEDS, hunchun) == (35, None, Decimal("35.0000"))
    assert stored(IndicatorCode.DEMENTIA_BEDS_RURAL, tree["province"])[0] == 35
    # embedded centre in 春化镇, none in 敬信镇; the province has the tree's 3 townships
    assert stored(IndicatorCode.EMBEDDED_COVERAGE, hunchun)[:2] == (1, 2)
    assert stored(IndicatorCode.EMBEDDED_COVERAGE, tree["province"])[:2] == (1, 3)
    assert stored(IndicatorCode.EMBEDDED_COVERAGE, tree["hc_town"])[:2] == (1, 1)
    # one county of the 60 has its county centre; 延边 has 8 counties
    assert stored(IndicatorCode.COUNTY_FACILITY_COVERAGE, tree["province"])[:2] == (1, 60)
    assert stored(IndicatorCode.COUNTY_FACILITY_COVERAGE, tree["yanbian"])[:2] == (1, 8)
    assert stored(IndicatorCode.COUNTY_FACILITY_COVERAGE, hunchun)[:2] == (1, 1)
    # villages with demand: 东阿拉村 (served by its courtyard) and 大房村 (not)
    assert stored(IndicatorCode.VILLAGE_SERVICE_COVERAGE, tree["province"])[:2] == (1, 2)
    assert stored(IndicatorCode.VILLAGE_SERVICE_COVERAGE, hunchun)[:2] == (1, 1)


def test_a_facility_closed_before_the_month_began_counts_nowhere(tree, network):
    rollup_month(month=D(2023, 11, 1), today=AFTER)
    # 春化镇: only 东阿拉村's institution below it; its own closed centre is gone
    assert stored(IndicatorCode.NURSING_BED_RATIO, tree["hc_town"], D(2023, 11, 1))[:2] == (
        100,
        200,
    )


def test_concentrated_care_rate(tree, network):
    institution = network["centre"]
    hardship = {"is_incapacitated": True, "is_extreme_hardship": True}
    ElderFactory(village=tree["hc_village"], **hardship)  # at home
    # entered an institution mid-October: in one at the month's end
    ElderFactory(
        village=tree["hc_village"],
        residence="in_institution",
        residence_since=D(2023, 10, 15),
        institution=institution,
        **hardship,
    )
    # entered one in November: at home at October's end
    ElderFactory(
        village=tree["hc_village"],
        residence="in_institution",
        residence_since=D(2023, 11, 15),
        institution=institution,
        **hardship,
    )
    # died in October: no longer counted at its end
    ElderFactory(
        village=tree["hc_village"],
        residence="deceased",
        residence_since=D(2023, 10, 3),
        **hardship,
    )
    ElderFactory(village=tree["hc_village"], is_incapacitated=True)  # not in hardship
    rollup_month(month=OCT, today=AFTER)
    assert stored(IndicatorCode.CONCENTRATED_CARE, tree["hunchun"])[:2] == (1, 3)


def test_renovations_are_cumulative(tree):
    for day in (D(2022, 5, 1), D(2023, 10, 31), D(2023, 11, 1)):
        Renovation.objects.create(
            region=tree["hc_village"],
            household="困难家庭",
            year=day.year,
            items="扶手",
            completed_on=day,
        )
    Renovation.objects.create(
        region=tree["gz_village"], household="困难家庭", year=2023, items="扶手"
    )
    rollup_month(month=OCT, today=AFTER)
    assert stored(IndicatorCode.RENOVATIONS, tree["hunchun"])[0] == 2
    assert stored(IndicatorCode.RENOVATIONS, tree["province"])[0] == 2
    province = IndicatorValue.objects.get(
        indicator=IndicatorCode.RENOVATIONS, region=tree["province"], month=OCT
    )
    assert (province.target_value, province.met) == (Decimal("40000.00"), False)
    # the count target names the province: a county gets none
    county = IndicatorValue.objects.get(
        indicator=IndicatorCode.RENOVATIONS, region=tree["hunchun"], month=OCT
    )
    assert county.target is None and county.met is None


def test_regional_target_replaces_the_province_wide_one_for_that_region_only(tree, october_elders):
    Target.objects.create(
        indicator=IndicatorCode.VISIT_RATE, region=tree["hunchun"], year=2023, value=20
    )
    Target.objects.create(
        indicator=IndicatorCode.OCCUPANCY,
        region=None,
        year=2023,
        value=50,
        comparison=Comparison.AT_MOST,
    )
    rollup_month(month=OCT, today=AFTER)
    hunchun = IndicatorValue.objects.get(
        indicator=IndicatorCode.VISIT_RATE, region=tree["hunchun"], month=OCT
    )
    assert (hunchun.value, hunchun.target_value, hunchun.met) == (Decimal("25.0000"), 20, True)
    yanbian = IndicatorValue.objects.get(
        indicator=IndicatorCode.VISIT_RATE, region=tree["yanbian"], month=OCT
    )
    assert (yanbian.target_value, yanbian.met) == (100, False)


def test_at_least_and_at_most():
    at_least = Target(value=Decimal("60"), comparison=Comparison.AT_LEAST)
    at_most = Target(value=Decimal("60"), comparison=Comparison.AT_MOST)
    assert at_least.is_met(Decimal("60")) and not at_least.is_met(Decimal("59.99"))
    assert at_most.is_met(Decimal("60")) and not at_most.is_met(Decimal("60.01"))
    assert at_least.is_met(None) is None


def test_the_target_of_the_next_due_year_applies_then_the_last_one_stays():
    t2025, t2027 = Target(year=2025, value=60), Target(year=2027, value=70)
    assert applicable_target([t2027, t2025], 2023) is t2025
    assert applicable_target([t2027, t2025], 2025) is t2025
    assert applicable_target([t2027, t2025], 2026) is t2027
    assert applicable_target([t2027, t2025], 2030) is t2027
    assert applicable_target([], 2023) is None


def test_recompute_is_idempotent_and_replaces_the_month(tree, october_elders):
    rollup_month(month=OCT, today=AFTER)
    first = list(
        IndicatorValue.objects.filter(month=OCT)
        .order_by("indicator", "region_id")
        .values_list("indicator", "region_id", "numerator", "denominator", "value", "met")
    )
    rollup_month(month=OCT, today=AFTER)
    second = list(
        IndicatorValue.objects.filter(month=OCT)
        .order_by("indicator", "region_id")
        .values_list("indicator", "region_id", "numerator", "denominator", "value", "met")
    )
    assert first == second and len(first) > 100
    # a late visit entered and a recompute: the month is replaced, not added to
    from visits.models import Elder

    visit(Elder.objects.get(name="乙"), D(2023, 10, 30), october_elders)
    rollup_month(month=OCT, today=AFTER)
    assert IndicatorValue.objects.filter(month=OCT).count() == len(first)
    assert stored(IndicatorCode.VISIT_RATE, tree["hunchun"])[:2] == (2, 4)


def test_the_seeds_rates_as_the_portal_prints_them():
    archive = INDICATORS[IndicatorCode.ARCHIVE_RATE]
    assert archive.format(archive.value_of(403_300, 488_000)) == "82.64%"
    nursing = INDICATORS[IndicatorCode.NURSING_BED_RATIO]
    assert nursing.format(nursing.value_of(83_100, 144_500)) == "57.5%"
    occupancy = INDICATORS[IndicatorCode.OCCUPANCY]
    assert occupancy.format(occupancy.value_of(71_000, 144_800)) == "49.0%"
    beds = INDICATORS[IndicatorCode.DEMENTIA_BEDS]
    assert beds.format(beds.value_of(5_000, None)) == "5,000"
    assert archive.format(archive.value_of(0, 0)) == "—"
