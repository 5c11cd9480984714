"""The one transition table of appeals: which action is allowed from which status, for which capability.

The services guard every transition with `require` (a 409 with a Russian message when the status does not
allow it); the appeal page offers exactly `actions_for(user, appeal)`, and the templates ask for an action
by name, never for a raw status. A new status or action is one line here.
"""

from dataclasses import dataclass

from cur.roles import can

from ..errors import TransitionNotAllowed
from ..models import Appeal

S = Appeal.Status
OPEN = Appeal.OPEN_STATUSES
ANY = tuple(S.values)
WORKING = (S.ASSIGNED, S.IN_PROGRESS, S.RETURNED)  # the executor has it and has not answered
EXTENDABLE = (*WORKING, S.INFO_REQUESTED)  # the deadline clock is running or paused


@dataclass(frozen=True)
class Action:
    verb: str  # for the refusal: «Нельзя <verb>: обращение № … в статусе «…».»
    statuses: tuple[str, ...]
    triage: bool = False  # ЦУР staff with appeals.triage
    executor: bool = False  # a user of the organisation the appeal is assigned to (appeals.answer)


ACTIONS: dict[str, Action] = {
    "accept_suggestion": Action("принять предложение классификатора", OPEN, triage=True),
    "classify": Action("изменить классификацию", OPEN, triage=True),
    "assign": Action("назначить исполнителя", (S.NEW, S.REOPENED), triage=True),
    "redirect": Action("перенаправить", WORKING, triage=True),
    "extend": Action("продлить срок", EXTENDABLE, triage=True),
    "start": Action("принять в работу", (S.ASSIGNED, S.RETURNED), executor=True),
    "request_info": Action("запросить сведения", WORKING, executor=True),
    "receive_info": Action("отметить получение сведений", (S.INFO_REQUESTED,), triage=True, executor=True),
    "answer": Action("записать ответ", WORKING, executor=True),
    "request_extension": Action("запросить продление срока", EXTENDABLE, executor=True),
    "check_quality": Action("оценить качество ответа", (S.ANSWERED, S.CLOSED), triage=True),
    "return": Action("вернуть на доработку", (S.ANSWERED,), triage=True),
    "close": Action("закрыть", (S.ANSWERED,), triage=True),
    "satisfaction": Action("записать оценку заявителя", (S.ANSWERED, S.CLOSED), triage=True),
    "reopen": Action("возобновить", (S.ANSWERED, S.CLOSED), triage=True),
    "reject": Action("отклонить", (S.NEW, S.REOPENED, S.ASSIGNED), triage=True),
    "link_incident": Action("связать с инцидентом", ANY, triage=True),
    "unlink_incident": Action("отвязать от инцидента", ANY, triage=True),
}


def allowed(action: str, status: str) -> bool:
    """Whether `action` may be taken on an appeal in `status` (by someone entitled to it)."""
    return status in ACTIONS[action].statuses


def require(appeal: Appeal, action: str) -> None:
    """Refuse (TransitionNotAllowed → 409) an action the appeal's status does not allow."""
    if not allowed(action, appeal.status):
        raise TransitionNotAllowed(
            f"Нельзя {ACTIONS[action].verb}: обращение № {appeal.number} в статусе «{appeal.get_status_display()}».",
            code="transition_not_allowed",
        )


def is_own_executor(user, appeal: Appeal) -> bool:
    """The user answers for the organisation this appeal is assigned to."""
    return (
        can(user, "appeals.answer")
        and user.organisation_id is not None
        and appeal.organisation_id == user.organisation_id
    )


def actions_for(user, appeal: Appeal) -> set[str]:
    """The actions `user` may take on `appeal` now: by capability, own organisation and status."""
    triage, executor = can(user, "appeals.triage"), is_own_executor(user, appeal)
    return {
        name
        for name, action in ACTIONS.items()
        if appeal.status in action.statuses and ((action.triage and triage) or (action.executor and executor))
    }
