"""Activities, materials, disinformation and official pages: the services' rules and the selectors' answers."""

import datetime

import pytest
from django.utils import timezone

from cur.errors import DomainError
from informing import selectors, services
from informing.errors import TransitionNotAllowed
from informing.models import InformationEvent, OfficialPage
from sectors.models import Organisation
from tests.factories import OrganisationFactory, TerritoryFactory
from tests.informing.factories import MaterialFactory, OfficialPageFactory

S = InformationEvent.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def event(moderator):
    return services.create_event(by=moderator, title="Слухи о подорожании проезда", essence="Посты о росте цен.")


def test_an_activity_needs_an_event_taken_into_analysis(event, moderator):
    with pytest.raises(TransitionNotAllowed, match="на анализ"):
        services.save_activity(None, by=moderator, event=event, title="Пост", channel="social")


def test_the_first_activity_of_an_analysed_event_starts_the_activities(event, moderator):
    services.start_analysis(event, by=moderator)
    district = TerritoryFactory(name="Шиловский район")
    material = MaterialFactory()

    activity = services.save_activity(
        None,
        by=moderator,
        event=event,
        title="Видео-разъяснение",
        channel="messenger",
        format="video",
        audience_groups=["pensioners", "rural"],
        territories=[district],
        material=material,
        planned_at=timezone.now() + datetime.timedelta(hours=2),
    )
    services.save_activity(activity, by=moderator, published_at=timezone.now(), reach=4200, feedback="Вопросы о сроках")

    event.refresh_from_db()
    activity.refresh_from_db()
    assert event.status == S.ACTIVITIES
    assert activity.reach == 4200 and list(activity.territories.all()) == [district]
    assert activity.audience_groups == ["pensioners", "rural"]


def test_unknown_audience_groups_are_refused(event, moderator):
    services.start_analysis(event, by=moderator)

    with pytest.raises(DomainError, match="группы аудитории"):
        services.save_activity(
            None, by=moderator, event=event, title="Пост", channel="social", audience_groups=["aliens"]
        )


def test_a_material_has_versions_per_audience_and_channel(moderator):
    material = services.save_material(None, by=moderator, title="Памятка о перерасчёте", kind="memo", body="Текст")
    version = services.add_material_version(
        material,
        by=moderator,
        title="Для пенсионеров",
        channel="mailing",
        audience_groups=["pensioners"],
        territories=[TerritoryFactory()],
    )

    assert list(material.versions.all()) == [version]
    with pytest.raises(DomainError, match="текст, ссылка или файл"):
        services.save_material(None, by=moderator, title="Пустой", kind="memo")


def test_a_false_claim_is_marked_with_evidence_refuted_and_warned_about(moderator):
    case = services.create_case(by=moderator, title="Отмена льгот", claim="Льготы отменят с февраля")
    with pytest.raises(TransitionNotAllowed):
        services.refute_case(case, by=moderator, url="https://vk.com/r")

    services.mark_false(case, by=moderator, evidence="Закон не менялся", links=["https://example.org/law"])
    services.add_spread(case, by=moderator, network="vk", url="https://vk.com/wall-1_1", reach=1000)
    services.add_spread(case, by=moderator, network="ok", url="https://ok.ru/x", reach=500)
    services.issue_warning(case, by=moderator, organisation=OrganisationFactory(), text="Не распространять")
    services.refute_case(case, by=moderator, material=MaterialFactory())

    case.refresh_from_db()
    assert case.status == "refuted" and case.total_reach == 1500
    assert case.evidence_links == ["https://example.org/law"]
    assert case.warnings.count() == 1 and case.refuted_at is not None


def test_a_warning_needs_an_addressee_and_a_confirmed_claim(moderator):
    case = services.create_case(by=moderator, title="Слух", claim="Слух")
    with pytest.raises(TransitionNotAllowed):
        services.issue_warning(case, by=moderator, addressee="Всем", text="Внимание")
    services.mark_false(case, by=moderator, evidence="Проверено")
    with pytest.raises(DomainError, match="кому"):
        services.issue_warning(case, by=moderator, text="Внимание")


def test_confirming_a_page_stamps_the_time_and_a_duplicate_address_is_refused(moderator):
    org = OrganisationFactory(kind=Organisation.Kind.REGIONAL_BODY)
    page = services.save_official_page(None, by=moderator, organisation=org, network="vk", url="https://vk.com/min")
    assert page.verified_at is None

    services.save_official_page(page, by=moderator, verified=True)
    page.refresh_from_db()
    assert page.verified and page.verified_at is not None
    with pytest.raises(DomainError, match="уже есть"):
        services.save_official_page(None, by=moderator, organisation=org, network="vk", url="https://vk.com/min")


def test_bodies_without_an_active_page_are_listed(curator):
    kept = OrganisationFactory(kind=Organisation.Kind.REGIONAL_BODY, name="Министерство с пабликом")
    OfficialPageFactory(organisation=kept)
    abandoned = OrganisationFactory(kind=Organisation.Kind.LOCAL_GOVERNMENT, name="Администрация без активного")
    OfficialPageFactory(organisation=abandoned, status=OfficialPage.Status.INACTIVE)
    none = OrganisationFactory(kind=Organisation.Kind.SUBORDINATE, name="Больница без паблика")
    OrganisationFactory(kind=Organisation.Kind.STATE_PARTICIPATION, name="Компания: паблик не обязателен")
    OrganisationFactory(kind=Organisation.Kind.REGIONAL_BODY, name="Упразднённое министерство", is_active=False)

    rows = {o.name: o.other_pages for o in selectors.organisations_without_page(curator)}

    assert rows == {abandoned.name: 1, none.name: 0}
