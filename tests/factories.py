import factory

from core.models import Region, User
from core.regions import RegionLevel
from core.roles import Role


def region(code: str) -> Region:
    return Region.objects.get(code=code)


class TownshipFactory(factory.django.DjangoModelFactory):
    """A township under a county (default 珲春市); codes 101, 102 ... in creation order."""

    class Meta:
        model = Region

    class Params:
        county = factory.LazyFunction(lambda: region("222404000000"))

    parent = factory.SelfAttribute("county")
    level = RegionLevel.TOWNSHIP
    name = factory.Sequence(lambda n: f"测试{n}镇")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.county.code[:6]}{100 + n % 900:03d}000")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    parent = factory.SubFactory(TownshipFactory)
    level = RegionLevel.VILLAGE
    name = factory.Sequence(lambda n: f"测试{n}村")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code[:9]}{200 + n % 700:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.COUNTY_OFFICER
    region = factory.LazyFunction(lambda: region("222404000000"))

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "secret-pass-123")
        if create:
            self.save(update_fields=["password"])


class FacilityFactory(factory.django.DjangoModelFactory):
    """An operating private institution in a township of 珲春市 (pass region= for others)."""

    class Meta:
        model = "facilities.Facility"

    name = factory.Sequence(lambda n: f"测试养老院{n}")
    kind = "institution"
    region = factory.LazyFunction(lambda: region("222404000000"))
    ownership = "private"
    operating_model = "private_operated"
    status = "operating"
    status_since = factory.LazyFunction(lambda: __import__("datetime").date(2022, 1, 1))
    total_beds = 100
    nursing_beds = 60
    dementia_beds = 0
    residents = 50
    longitude = 130.3
    latitude = 42.8


class InspectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "facilities.Inspector"

    name = factory.Sequence(lambda n: f"检查员{n}")
    region = factory.LazyFunction(lambda: region("222404000000"))


def id_number_for(birth, sequence=11, county="222404"):
    from visits.idcard import make_id_number

    return make_id_number(county, birth, sequence)


class VisitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "visits.Visitor"

    name = factory.Sequence(lambda n: f"巡访员{n}")
    kind = "village_cadre"
    region = factory.LazyFunction(lambda: region("222404101201"))
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class ElderFactory(factory.django.DjangoModelFactory):
    """A 1950-born woman living alone in 东阿拉村 (珲春市), archived in 2020."""

    class Meta:
        model = "visits.Elder"

    birth_date = factory.LazyFunction(lambda: __import__("datetime").date(1950, 3, 15))
    id_number = factory.LazyAttributeSequence(
        lambda o, n: id_number_for(
            o.birth_date, sequence=(2 * n) % 998 + 2, county=o.village.code[:6]
        )
    )
    name = factory.Sequence(lambda n: f"老人{n}")
    sex = "F"
    village = factory.LazyFunction(lambda: region("222404101201"))
    is_living_alone = True
    archived_on = factory.LazyFunction(lambda: __import__("datetime").date(2020, 1, 1))
