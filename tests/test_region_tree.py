import pytest

from core.models import Region
from core.regions import InvalidRegionCode, RegionLevel, expected_parent_code, level_of_code

pytestmark = pytest.mark.django_db

PREFECTURES = {
    "220100000000": "长春市",
    "220200000000": "吉林市",
    "220300000000": "四平市",
    "220400000000": "辽源市",
    "220500000000": "通化市",
    "220600000000": "白山市",
    "220700000000": "松原市",
    "220800000000": "白城市",
    "222400000000": "延边朝鲜族自治州",
}
BORDER_COUNTIES = {
    "图们市",
    "龙井市",
    "和龙市",
    "珲春市",
    "安图县",
    "集安市",
    "浑江区",
    "临江市",
    "长白朝鲜族自治县",
    "抚松县",
}


def test_province_has_the_nine_prefecture_level_divisions():
    province = Region.objects.get(level=RegionLevel.PROVINCE)
    assert (province.code, province.name) == ("220000000000", "吉林省")
    prefectures = dict(province.children.values_list("code", "name"))
    assert prefectures == PREFECTURES


def test_every_county_sits_under_the_prefecture_its_code_names():
    counties = Region.objects.filter(level=RegionLevel.COUNTY).select_related("parent")
    assert counties.count() == 60
    for county in counties:
        assert county.parent.level == RegionLevel.PREFECTURE
        assert county.code.startswith(county.parent.code[:4])
        assert county.code[6:] == "000000"
        assert county.longitude is not None and county.latitude is not None
        assert 121 < county.longitude < 132 and 40 < county.latitude < 47


@pytest.mark.parametrize(
    ("county", "prefecture"),
    [
        ("珲春市", "延边朝鲜族自治州"),
        ("公主岭市", "长春市"),
        ("梅河口市", "通化市"),
        ("抚松县", "白山市"),
        ("前郭尔罗斯蒙古族自治县", "松原市"),
        ("舒兰市", "吉林市"),
    ],
)
def test_known_counties_have_the_right_prefecture(county, prefecture):
    assert Region.objects.get(name=county).parent.name == prefecture


def test_codes_nest_so_a_subtree_is_a_prefix_query():
    yanbian = Region.objects.get(code="222400000000")
    subtree = Region.objects.subtree(yanbian)
    assert subtree.filter(level=RegionLevel.COUNTY).count() == 8
    assert set(subtree.values_list("parent__code", flat=True)) == {"220000000000", "222400000000"}


def test_the_ten_border_counties_are_flagged():
    assert (
        set(Region.objects.filter(is_border=True).values_list("name", flat=True)) == BORDER_COUNTIES
    )


def test_model_validation_rejects_a_code_that_does_not_match_its_parent():
    hunchun = Region.objects.get(code="222404000000")
    region = Region(code="220184101000", name="错镇", level=RegionLevel.TOWNSHIP, parent=hunchun)
    with pytest.raises(Exception, match="220184000000"):
        region.full_clean()


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("220000000000", "province"),
        ("222400000000", "prefecture"),
        ("222404000000", "county"),
        ("222404101000", "township"),
        ("222404101201", "village"),
    ],
)
def test_level_of_code(code, level):
    assert level_of_code(code) == level


@pytest.mark.parametrize(
    "code",
    [
        "22040410100",
        "2204041010001",
        "22040410100x",
        "000000000000",
        "220004101000",
        "222404000201",
    ],
)
def test_malformed_codes_are_rejected(code):
    with pytest.raises(InvalidRegionCode):
        level_of_code(code)


def test_expected_parent_code():
    assert expected_parent_code("222404101201", "village") == "222404101000"
    assert expected_parent_code("222404000000", "county") == "222400000000"
    assert expected_parent_code("220000000000", "province") is None
