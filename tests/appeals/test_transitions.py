"""One transition table (appeals/workflow/transitions.py): every service refuses exactly the statuses the
table does not allow, and the appeal page offers an action exactly where its service would accept it."""

import datetime

import pytest
from django.utils import timezone

from appeals import services
from appeals.errors import TransitionNotAllowed
from appeals.models import Appeal
from appeals.views.appeal import available_actions
from appeals.workflow import transitions
from cur.roles import Role
from tests.factories import OrganisationFactory

from .factories import appeal_in

pytestmark = pytest.mark.django_db
S = Appeal.Status
LATER = timezone.localdate() + datetime.timedelta(days=25)

# Each action of the table through its service, with valid arguments.
CALLS = {
    "assign": lambda a, u: services.assign_appeal(a, organisation=OrganisationFactory(), by=u),
    "redirect": lambda a, u: services.redirect_appeal(a, organisation=OrganisationFactory(), by=u, comment="не наше"),
    "extend": lambda a, u: services.extend_deadline(a, due_date=LATER, by=u, reason="нужна экспертиза"),
    "start": lambda a, u: services.start_work(a, by=u),
    "request_info": lambda a, u: services.request_info(a, by=u, comment="уточните адрес"),
    "receive_info": lambda a, u: services.receive_info(a, by=u, comment="адрес уточнён"),
    "answer": lambda a, u: services.answer_appeal(a, text="Сделано.", by=u),
    "request_extension": lambda a, u: services.request_extension(a, due_date=LATER, reason="подрядчик", by=u),
    "check_quality": lambda a, u: services.check_answer_quality(a, quality=Appeal.AnswerQuality.ON_MERITS, by=u),
    "return": lambda a, u: services.return_appeal(a, by=u, comment="ответ формальный"),
    "close": lambda a, u: services.close_appeal(a, by=u),
    "satisfaction": lambda a, u: services.record_satisfaction(a, score=5, by=u),
    "reopen": lambda a, u: services.reopen_appeal(a, by=u, reason="не сделано"),
    "reject": lambda a, u: services.reject_appeal(a, reason=Appeal.RejectReason.SPAM, by=u),
}


def test_every_action_of_the_table_names_real_statuses():
    for action in transitions.ACTIONS.values():
        assert set(action.statuses) <= set(S.values) and (action.triage or action.executor)


@pytest.mark.parametrize("action", sorted(CALLS))
@pytest.mark.parametrize("status", S.values)
def test_a_service_refuses_exactly_the_statuses_the_table_does_not_allow(action, status, make_user):
    organisation = OrganisationFactory()
    user = make_user(Role.EXECUTOR, organisation=organisation) if transitions.ACTIONS[action].executor else None
    user = user or make_user(Role.OPERATOR)
    # An answered appeal whose quality is checked: closing it is then allowed, not refused for the quality.
    checked = {"answer_quality": Appeal.AnswerQuality.ON_MERITS} if status == S.ANSWERED else {}
    appeal = appeal_in(status, organisation=organisation, **checked)

    if transitions.allowed(action, status):
        CALLS[action](appeal, user)  # no TransitionNotAllowed (nor any other refusal) from an allowed status
    else:
        with pytest.raises(TransitionNotAllowed):
            CALLS[action](appeal, user)


@pytest.mark.parametrize("status", S.values)
def test_the_page_offers_the_executor_and_the_operator_what_the_table_allows(status, make_user):
    organisation = OrganisationFactory()
    executor = make_user(Role.EXECUTOR, organisation=organisation, username="executor-own")
    stranger = make_user(Role.EXECUTOR, username="executor-other")
    operator = make_user(Role.OPERATOR)
    appeal = appeal_in(status, organisation=organisation)

    offered = available_actions(executor, appeal) & set(CALLS)
    assert offered == {a for a in CALLS if transitions.ACTIONS[a].executor and transitions.allowed(a, status)}
    assert available_actions(stranger, appeal) & set(CALLS) == set()
    offered = available_actions(operator, appeal) & set(CALLS)
    assert offered == {a for a in CALLS if transitions.ACTIONS[a].triage and transitions.allowed(a, status)}
