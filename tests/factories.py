import datetime

import factory
from factory.django import DjangoModelFactory

from cur.models import User
from cur.roles import Role
from sectors.models import Organisation, ResponsiblePerson, SectorBlock, Territory


class SectorBlockFactory(DjangoModelFactory):
    class Meta:
        model = SectorBlock
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"extra{n}")
    name = factory.Sequence(lambda n: f"Дополнительный блок {n}")


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ("oktmo",)

    name = "Рязанская область"
    kind = Territory.Kind.REGION
    oktmo = "61000000"


class TerritoryFactory(DjangoModelFactory):
    class Meta:
        model = Territory

    name = factory.Sequence(lambda n: f"Район № {n}")
    kind = Territory.Kind.MUNICIPAL_DISTRICT
    parent = factory.SubFactory(RegionFactory)
    oktmo = factory.Sequence(lambda n: f"{61800000 + n * 1000:08d}")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Государственное учреждение № {n}")
    kind = Organisation.Kind.SUBORDINATE
    territory = factory.SubFactory(TerritoryFactory)

    @factory.post_generation
    def sector_blocks(self, create, extracted, **kwargs):
        if create and extracted:
            self.sector_blocks.set(extracted)


class ResponsiblePersonFactory(DjangoModelFactory):
    class Meta:
        model = ResponsiblePerson

    role = ResponsiblePerson.Role.BLOCK_HEAD
    last_name = factory.Sequence(lambda n: f"Иванов{n}")
    first_name = "Иван"
    patronymic = "Иванович"
    position = "Заместитель министра"
    sector_block = factory.LazyFunction(lambda: SectorBlock.objects.get(code="health"))
    act_number = factory.Sequence(lambda n: f"{n}-рп")
    act_date = datetime.date(2025, 1, 10)
    since = datetime.date(2025, 1, 15)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "Петрова"
    first_name = "Анна"
    role = Role.OPERATOR
    password = factory.django.Password("пароль-для-тестов")

    @factory.post_generation
    def sector_blocks(self, create, extracted, **kwargs):
        if create and extracted:
            self.sector_blocks.set(extracted)
