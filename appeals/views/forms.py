"""Forms of the appeal pages: the actions on one appeal, the queue's bulk actions, incidents. They
validate only; every write goes through `appeals.services`."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from cur.web.dates import DateField
from cur.web.forms import BootstrapFormMixin, DateInput
from sectors.models import Organisation, SectorBlock, Territory

from .. import selectors
from ..filters import NUMBER_RE
from ..intake.forms import TerritoryField, TopicField
from ..models import Appeal, Incident

MAX_BULK = 200
MAX_EXTENSION_DAYS = 366


def resolve_number(user, value: str) -> Appeal | None:
    """The appeal the user may see with this number («2025-000123» or «123»), or None."""
    match = NUMBER_RE.match(value or "")
    if not match:
        return None
    return selectors.appeals_visible_to(user).filter(pk=int(match.group(1))).first()


# --- fields -----------------------------------------------------------------------------


def active_organisations_for(appeal: Appeal | None) -> tuple[QuerySet[Organisation], list]:
    """Active organisations, those of the appeal's sector block first (as <optgroup>s)."""
    qs = Organisation.objects.filter(is_active=True)
    # Before classification the classifier's suggestion tells which block's organisations come first.
    sector_block = appeal and (appeal.sector_block or appeal.suggested_sector_block)
    if sector_block is None:
        return qs, [("", "---------"), *((o.pk, str(o)) for o in qs.order_by("name", "pk"))]
    through = Organisation.sector_blocks.through
    in_block = Exists(through.objects.filter(organisation_id=OuterRef("pk"), sectorblock_id=sector_block.pk))
    rows = list(qs.annotate(in_block=in_block).order_by("-in_block", "name", "pk"))
    own = [(o.pk, str(o)) for o in rows if o.in_block]
    other = [(o.pk, str(o)) for o in rows if not o.in_block]
    choices: list = [("", "---------")]
    if own:
        choices.append((f"Организации блока «{sector_block}»", own))
    if other:
        choices.append(("Другие организации" if own else "Организации", other))
    return qs, choices


class OrganisationField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Organisation.objects.none())
        kwargs.setdefault("label", "исполнитель")
        kwargs.setdefault(
            "error_messages",
            {"required": "Выберите исполнителя.", "invalid_choice": "Выберите действующую организацию из списка."},
        )
        super().__init__(**kwargs)

    def set_for(self, appeal: Appeal | None) -> None:
        self.queryset, self.choices = active_organisations_for(appeal)


class IdsField(forms.Field):
    """Several appeal ids from checkboxes (`name="ids"` repeated)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        ids = []
        for item in value:
            try:
                ids.append(int(str(item).strip()))
            except ValueError:
                raise ValidationError("Неверный номер обращения.", code="invalid") from None
        if any(i <= 0 for i in ids):
            raise ValidationError("Неверный номер обращения.", code="invalid")
        return list(dict.fromkeys(ids))

    def validate(self, value):
        if not value:
            raise ValidationError("Отметьте хотя бы одно обращение.", code="required")
        if len(value) > MAX_BULK:
            raise ValidationError(f"За один раз можно обработать не больше {MAX_BULK} обращений.", code="max")


def comment_field(label: str, *, required: bool = True, rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"Заполните поле «{label}»."},
    )


# --- actions on one appeal ------------------------------------------------------------


class EmptyForm(forms.Form):
    pass


class ClassificationForm(BootstrapFormMixin, forms.Form):
    sector_block = forms.ModelChoiceField(label="отраслевой блок", queryset=SectorBlock.objects.none(), required=False)
    topic = TopicField()
    territory = TerritoryField(label="территория", queryset=Territory.objects.none(), required=False)

    def __init__(self, *args, appeal=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector_block"].queryset = SectorBlock.objects.filter(is_active=True)
        self.fields["topic"].set_topics(selectors.topics_for_choice())
        self.fields["territory"].queryset = Territory.objects.filter(is_active=True).order_by("name", "pk")
        if appeal is not None and not self.is_bound:
            # Correcting a suggestion starts from it; a classified appeal starts from its classification.
            classified = appeal.sector_block_id is not None or appeal.topic_id is not None
            self.initial.update(
                sector_block=appeal.sector_block_id if classified else appeal.suggested_sector_block_id,
                topic=appeal.topic_id if classified else appeal.suggested_topic_id,
                territory=appeal.territory_id or appeal.suggested_territory_id,
            )

    def clean(self):
        cleaned = super().clean()
        topic, block = cleaned.get("topic"), cleaned.get("sector_block")
        if not self.errors and not topic and not block:
            raise ValidationError("Выберите отраслевой блок или тему.")
        if topic and block and topic.sector_block_id != block.pk:
            self.add_error("topic", "Тема не относится к выбранному отраслевому блоку.")
        return cleaned


class AssignForm(BootstrapFormMixin, forms.Form):
    organisation = OrganisationField()
    comment = comment_field("комментарий", required=False)

    def __init__(self, *args, appeal=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].set_for(appeal)


class RedirectForm(AssignForm):
    comment = comment_field("причина перенаправления")


class CommentForm(BootstrapFormMixin, forms.Form):
    comment = comment_field("комментарий", required=False)

    def __init__(self, *args, appeal=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class RequiredCommentForm(CommentForm):
    comment = comment_field("комментарий")


class RequestInfoForm(CommentForm):
    comment = comment_field("какие сведения запрошены")


class ReturnForm(CommentForm):
    comment = comment_field("что нужно доработать")


class ReopenForm(CommentForm):
    comment = comment_field("причина возобновления")


class ExtendForm(BootstrapFormMixin, forms.Form):
    due_date = DateField(
        label="новый срок",
        widget=DateInput(),
        error_messages={"required": "Укажите новый срок.", "invalid": "Введите дату в формате дд.мм.гггг."},
    )
    reason = comment_field("причина продления")

    def __init__(self, *args, appeal=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_due_date(self):
        value = self.cleaned_data["due_date"]
        today = timezone.localdate()
        if value < today:
            raise ValidationError("Новый срок не может быть в прошлом.")
        if value > today + datetime.timedelta(days=MAX_EXTENSION_DAYS):
            raise ValidationError("Новый срок не может быть позже чем через год.")
        return value


class AnswerForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label="текст ответа",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Введите текст ответа."},
    )

    def __init__(self, *args, appeal=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class QualityForm(CommentForm):
    quality = forms.ChoiceField(
        label="качество ответа",
        choices=[("", "---------"), *Appeal.AnswerQuality.choices],
        error_messages={
            "required": "Выберите оценку качества ответа.",
            "invalid_choice": "Выберите оценку качества ответа из списка.",
        },
    )
    field_order = ["quality", "comment"]


class SatisfactionForm(CommentForm):
    score = forms.TypedChoiceField(
        label="оценка заявителя",
        coerce=int,
        choices=[("", "---------"), *((i, str(i)) for i in range(1, 6))],
        error_messages={"required": "Выберите оценку от 1 до 5.", "invalid_choice": "Оценка — целое число от 1 до 5."},
    )
    field_order = ["score", "comment"]


class DuplicateOfMixin:
    def clean_duplicate_of(self):
        value = (self.cleaned_data.get("duplicate_of") or "").strip()
        if not value:
            return None
        original = resolve_number(self.user, value)
        if original is None:
            raise ValidationError(f"Обращение № {value} не найдено.")
        return original


class RejectForm(DuplicateOfMixin, CommentForm):
    reason = forms.ChoiceField(
        label="причина отклонения",
        choices=[("", "---------"), *Appeal.RejectReason.choices],
        error_messages={
            "required": "Выберите причину отклонения.",
            "invalid_choice": "Выберите причину отклонения из списка.",
        },
    )
    duplicate_of = forms.CharField(
        label="дубликат обращения №", max_length=32, required=False, help_text="Только для причины «Дубликат»."
    )
    field_order = ["reason", "duplicate_of", "comment"]

    def __init__(self, *args, appeal=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        duplicate = cleaned.get("reason") == Appeal.RejectReason.DUPLICATE
        if duplicate and not cleaned.get("duplicate_of") and "duplicate_of" not in self.errors:
            self.add_error("duplicate_of", "Укажите номер обращения, дубликатом которого является это.")
        return cleaned


INCIDENT_CHOICES_SHOWN = 300


def set_incidents(fld: forms.ModelChoiceField, incidents: QuerySet[Incident] | None) -> None:
    """Validate against every incident the user may link to; list only the latest few hundred."""
    fld.queryset = incidents if incidents is not None else Incident.objects.none()
    fld.choices = [("", "---------"), *((i.pk, str(i)) for i in fld.queryset[:INCIDENT_CHOICES_SHOWN])]


class IncidentLinkForm(BootstrapFormMixin, forms.Form):
    incident = forms.ModelChoiceField(
        label="инцидент",
        queryset=Incident.objects.none(),
        error_messages={"required": "Выберите инцидент.", "invalid_choice": "Выберите инцидент из списка."},
    )

    def __init__(self, *args, appeal=None, user=None, incidents=None, **kwargs):
        super().__init__(*args, **kwargs)
        set_incidents(self.fields["incident"], incidents)


# --- the queue's bulk actions -------------------------------------------------------------


class BulkActionForm(DuplicateOfMixin, BootstrapFormMixin, forms.Form):
    ASSIGN, CLASSIFY, LINK_INCIDENT, REJECT_DUPLICATE = "assign", "classify", "link_incident", "reject_duplicate"
    ACTIONS = [
        (ASSIGN, "Назначить исполнителя"),
        (CLASSIFY, "Указать блок и тему"),
        (LINK_INCIDENT, "Привязать к инциденту"),
        (REJECT_DUPLICATE, "Отклонить как дубликат"),
    ]

    ids = IdsField(label="обращения")
    action = forms.ChoiceField(
        label="действие",
        choices=ACTIONS,
        error_messages={"required": "Выберите действие.", "invalid_choice": "Выберите действие из списка."},
    )
    organisation = OrganisationField(required=False)
    sector_block = forms.ModelChoiceField(label="отраслевой блок", queryset=SectorBlock.objects.none(), required=False)
    topic = TopicField()
    incident = forms.ModelChoiceField(label="инцидент", queryset=Incident.objects.none(), required=False)
    duplicate_of = forms.CharField(label="дубликат обращения №", max_length=32, required=False)
    return_query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, incidents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organisation"].set_for(None)
        self.fields["sector_block"].queryset = SectorBlock.objects.filter(is_active=True)
        self.fields["topic"].set_topics(selectors.topics_for_choice())
        set_incidents(self.fields["incident"], incidents)
        for fld in self.fields.values():  # a compact toolbar above the queue
            css = fld.widget.attrs.get("class", "")
            fld.widget.attrs["class"] = css.replace("form-select", "form-select form-select-sm").replace(
                "form-control", "form-control form-control-sm"
            )

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        required = {
            self.ASSIGN: ("organisation", "Выберите исполнителя."),
            self.LINK_INCIDENT: ("incident", "Выберите инцидент."),
            self.REJECT_DUPLICATE: ("duplicate_of", "Укажите номер обращения, дубликатом которого являются выбранные."),
        }
        if action in required:
            name, message = required[action]
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, message)
        if action == self.CLASSIFY:
            topic, block = cleaned.get("topic"), cleaned.get("sector_block")
            if not topic and not block and "topic" not in self.errors and "sector_block" not in self.errors:
                self.add_error("topic", "Выберите отраслевой блок или тему.")
            if topic and block and topic.sector_block_id != block.pk:
                self.add_error("topic", "Тема не относится к выбранному отраслевому блоку.")
        return cleaned


# --- incidents --------------------------------------------------------------------------


class IncidentForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(
        label="название", max_length=255, error_messages={"required": "Укажите название инцидента."}
    )
    description = forms.CharField(
        label="описание", max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sector_block = forms.ModelChoiceField(label="отраслевой блок", queryset=SectorBlock.objects.none(), required=False)
    topic = TopicField()
    territory = TerritoryField(label="территория", queryset=Territory.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector_block"].queryset = SectorBlock.objects.filter(is_active=True)
        self.fields["topic"].set_topics(selectors.topics_for_choice())
        self.fields["territory"].queryset = Territory.objects.filter(is_active=True).order_by("name", "pk")

    def clean(self):
        cleaned = super().clean()
        topic, block = cleaned.get("topic"), cleaned.get("sector_block")
        if topic and block and topic.sector_block_id != block.pk:
            self.add_error("topic", "Тема не относится к выбранному отраслевому блоку.")
        return cleaned


class IncidentStatusForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(
        label="статус",
        choices=Incident.Status.choices,
        error_messages={"required": "Выберите статус.", "invalid_choice": "Выберите статус из списка."},
    )
