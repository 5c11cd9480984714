"""Methodology versions: version 1 ships approved; an approved version never changes; an edit is a draft
the curator approves."""

from decimal import Decimal

import pytest

from cur.errors import NotPermitted
from cur.roles import Role
from ratings import indicators, services
from ratings.errors import RatingsError
from ratings.models import RatingMethodology

pytestmark = pytest.mark.django_db


def settings_with(**weights) -> dict:
    result = {s.code: {"weight": s.weight, "direction": s.direction, "normalisation": s.normalisation}
              for s in indicators.SPECS}  # fmt: skip
    for code, weight in weights.items():
        result[code]["weight"] = Decimal(weight)
    return result


def test_version_1_is_approved_and_matches_the_published_defaults(v1):
    assert v1.is_approved
    rows = {i.code: i for i in v1.indicators.all()}
    assert set(rows) == set(indicators.CODES)
    for spec in indicators.SPECS:
        assert (rows[spec.code].weight, rows[spec.code].direction, rows[spec.code].normalisation) == (
            spec.weight, spec.direction, spec.normalisation,
        )  # fmt: skip
    assert v1.min_appeals == indicators.DEFAULT_MIN_APPEALS


def test_editing_an_approved_version_makes_a_new_draft_and_keeps_the_old(v1, admin_user):
    draft = services.save_methodology(by=admin_user, name="Версия 2", min_appeals=10,
                                      indicator_settings=settings_with(on_time="50"))  # fmt: skip

    assert (draft.version, draft.status, draft.based_on) == (2, RatingMethodology.Status.DRAFT, v1)
    assert draft.indicators.get(code="on_time").weight == Decimal(50)
    v1.refresh_from_db()
    assert v1.indicators.get(code="on_time").weight == Decimal(30)
    assert v1.min_appeals == 5


def test_editing_again_changes_the_draft_rather_than_adding_versions(v1, admin_user):
    services.save_methodology(by=admin_user, name="Версия 2", min_appeals=10, indicator_settings=settings_with())
    again = services.save_methodology(by=admin_user, name="Версия 2, исправлено", min_appeals=7,
                                      indicator_settings=settings_with(satisfied="25"))  # fmt: skip

    assert again.version == 2
    assert RatingMethodology.objects.count() == 2
    assert again.indicators.get(code="satisfied").weight == Decimal(25)


def test_the_curator_approves_a_draft_once(v1, admin_user, make_user):
    curator = make_user(Role.CURATOR)
    draft = services.save_methodology(
        by=admin_user, name="Версия 2", min_appeals=10, indicator_settings=settings_with()
    )

    services.approve_methodology(draft, by=curator)
    draft.refresh_from_db()

    assert draft.is_approved and draft.approved_by == curator and draft.approved_at is not None
    assert services.current_methodology() == draft
    with pytest.raises(RatingsError, match="уже утверждена"):
        services.approve_methodology(draft, by=curator)


def test_roles_are_kept_apart_admin_edits_curator_approves(v1, admin_user, make_user):
    curator = make_user(Role.CURATOR)
    with pytest.raises(NotPermitted):
        services.save_methodology(by=curator, name="x", min_appeals=5, indicator_settings=settings_with())
    draft = services.save_methodology(by=admin_user, name="Версия 2", min_appeals=5, indicator_settings=settings_with())
    with pytest.raises(NotPermitted):
        services.approve_methodology(draft, by=admin_user)


def test_a_methodology_without_any_weight_is_refused(v1, admin_user):
    zero = dict.fromkeys(indicators.CODES, "0")

    with pytest.raises(RatingsError, match="положительный вес"):
        services.save_methodology(by=admin_user, name="Пустая", min_appeals=5, indicator_settings=settings_with(**zero))


def test_the_demo_restores_version_1_when_a_flush_removed_it(db):
    from cur.demo.ratings import seed_ratings_demo

    RatingMethodology.objects.all().delete()

    assert seed_ratings_demo(months=1) == {"runs": 3, "skipped": 0}
    assert RatingMethodology.objects.get().version == 1
