"""Related appeals on the appeal page: one index-backed query per condition, merged newest first."""

import datetime

from appeals.selectors import related_appeals

from .factories import S, appeal_in


def test_same_phone_or_email_merges_without_repeats_newest_first_and_keeps_the_limit(operator):
    now = appeal_in(S.NEW).registered_at
    me = appeal_in(S.NEW, applicant_phone="+7 900 000-00-01", applicant_email="Ivanov@Example.ru")
    both = [
        appeal_in(S.CLOSED, applicant_phone="+7 900 000-00-01", applicant_email="ivanov@example.ru",
                  registered_at=now - datetime.timedelta(days=d))
        for d in (3, 1)
    ]  # fmt: skip
    by_email = appeal_in(S.CLOSED, applicant_phone="", applicant_email="IVANOV@example.RU",
                         registered_at=now - datetime.timedelta(days=2))  # fmt: skip
    appeal_in(S.CLOSED, applicant_phone="+7 900 000-00-02", applicant_email="petrov@example.ru")

    related = related_appeals(operator, me)

    assert related["applicant"] == [both[1], by_email, both[0]]
    assert related_appeals(operator, me, limit=2)["applicant"] == [both[1], by_email]


def test_same_address_ignores_case_and_blank_addresses_match_nothing(operator):
    me = appeal_in(S.NEW, address="г. Рязань, ул. Ленина, д. 5")
    same = appeal_in(S.CLOSED, address="Г. РЯЗАНЬ, УЛ. ЛЕНИНА, Д. 5")
    appeal_in(S.CLOSED, address="г. Рязань, ул. Ленина, д. 7")
    blank = appeal_in(S.NEW, address="")
    appeal_in(S.CLOSED, address="")

    assert related_appeals(operator, me)["address"] == [same]
    assert related_appeals(operator, blank)["address"] == []
