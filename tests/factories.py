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
