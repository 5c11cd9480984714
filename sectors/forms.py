"""Forms of the directory pages. They validate only; every write goes through `sectors.services`."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q

from cur.errors import DomainError
from cur.web.dates import DateField
from cur.web.forms import BootstrapFormMixin, DateInput

from .models import Organisation, ResponsiblePerson, SectorBlock, Territory, phone_validator

RESERVED_BLOCK_CODES = frozenset({"new"})  # /sectors/blocks/new/ is the create page


def date_field(label: str, *, required: bool = True, **kwargs) -> DateField:
    """Appointment acts and terms of office: the range of cur.web.dates (anything outside it is a typo)."""
    return DateField(
        label=label,
        required=required,
        widget=DateInput(),
        error_messages={"invalid": "Введите дату в формате дд.мм.гггг.", "required": "Укажите дату."},
        **kwargs,
    )


class TerritoryChoiceField(forms.ModelChoiceField):
    """Settlements of different districts share names: the kind tells them apart."""

    def label_from_instance(self, obj: Territory) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name or obj.username} ({obj.username})"


def add_service_error(form: forms.BaseForm, exc: Exception) -> None:
    """Show a refusal of a service on the form: a DomainError's message, or the model's own
    validation (services call full_clean) on its field when the form has it."""
    if isinstance(exc, DomainError):
        form.add_error(None, exc.message)
    elif isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:  # pragma: no cover - callers pass only the two kinds above
        raise exc


class SectorBlockForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = SectorBlock
        fields = ["code", "name", "description", "position", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "code": "Латинские буквы, цифры, дефис и подчёркивание. После создания не меняется.",
            "position": "Чем меньше число, тем выше блок в списках.",
            "is_active": "Обязательный блок отключить нельзя.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The code is referenced by data and the API (DESIGN §3); the service refuses a change too.
            self.fields["code"].disabled = True

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not self.instance.pk and code in RESERVED_BLOCK_CODES:
            raise ValidationError("Этот код зарезервирован, выберите другой.")
        return code


class TerritoryForm(BootstrapFormMixin, forms.ModelForm):
    parent = TerritoryChoiceField(queryset=Territory.objects.none(), label="входит в", required=False)

    class Meta:
        model = Territory
        fields = ["name", "kind", "parent", "oktmo", "population", "is_active"]
        help_texts = {"parent": "Не указывается только для субъекта РФ."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Territory.objects.exclude(kind=Territory.Kind.LOCALITY).order_by("name", "pk")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents


class OrganisationForm(BootstrapFormMixin, forms.ModelForm):
    territory = TerritoryChoiceField(queryset=Territory.objects.none(), label="территория")
    website = forms.URLField(label="сайт", required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "kind",
            "inn",
            "territory",
            "parent",
            "sector_blocks",
            "address",
            "phone",
            "email",
            "website",
            "is_active",
        ]
        widgets = {"sector_blocks": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.order_by("name", "pk")
        parents = Organisation.objects.order_by("name", "pk")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["sector_blocks"].queryset = SectorBlock.objects.all()


def _person_field(name: str, **kwargs) -> forms.Field:
    return ResponsiblePerson._meta.get_field(name).formfield(**kwargs)


def _mcu_territories():
    # A МЦУ works at the level of a municipal district, okrug or city okrug.
    return Territory.objects.filter(kind__in=Territory.MUNICIPAL_KINDS).order_by("name", "pk")


class AppointForm(BootstrapFormMixin, forms.Form):
    """Appointment to a ЦУР post. A plain form, not a ModelForm: the model's "one current holder"
    constraints would refuse every re-appointment, while the service first relieves the holder."""

    role = _person_field("role")
    sector_block = forms.ModelChoiceField(
        queryset=SectorBlock.objects.all(),
        label="отраслевой блок",
        required=False,
        help_text="Для ответственного за блок и руководителя блока.",
    )
    territory = TerritoryChoiceField(
        queryset=Territory.objects.none(),
        label="муниципальное образование",
        required=False,
        help_text="Для куратора, руководителя и администратора МЦУ.",
    )
    last_name = _person_field("last_name")
    first_name = _person_field("first_name")
    patronymic = _person_field("patronymic")
    position = _person_field("position")
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="организация", required=False)
    user = UserChoiceField(
        queryset=get_user_model().objects.none(),
        label="учётная запись в системе",
        required=False,
    )
    phone = _person_field("phone", validators=[phone_validator])
    email = _person_field("email")
    act_number = _person_field("act_number")
    act_date = date_field("дата акта о назначении")
    since = date_field("назначен с", help_text="Прежнее лицо на этой должности освобождается накануне.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = _mcu_territories()
        self.fields["organisation"].queryset = Organisation.objects.order_by("name", "pk")
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True).order_by("last_name", "username")

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        block_role = role in ResponsiblePerson.BLOCK_ROLES
        mcu_role = role in ResponsiblePerson.MCU_ROLES
        if block_role and not cleaned.get("sector_block") and "sector_block" not in self.errors:
            self.add_error("sector_block", "Для роли в отраслевом блоке укажите отраслевой блок.")
        if role and not block_role and cleaned.get("sector_block"):
            self.add_error("sector_block", "Отраслевой блок указывается только для ролей отраслевого блока.")
        if mcu_role and not cleaned.get("territory") and "territory" not in self.errors:
            self.add_error("territory", "Для роли в МЦУ укажите муниципальное образование.")
        if role and not mcu_role and cleaned.get("territory"):
            self.add_error("territory", "Муниципальное образование указывается только для ролей МЦУ.")
        return cleaned


class PersonEditForm(BootstrapFormMixin, forms.ModelForm):
    """Corrects an appointment's details; the post (role, block, МЦУ) is changed by a new appointment."""

    act_date = date_field("дата акта о назначении")
    since = date_field("назначен с")
    user = UserChoiceField(queryset=get_user_model().objects.none(), label="учётная запись в системе", required=False)

    class Meta:
        model = ResponsiblePerson
        fields = [
            "last_name",
            "first_name",
            "patronymic",
            "position",
            "organisation",
            "user",
            "phone",
            "email",
            "act_number",
            "act_date",
            "since",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name", "pk")
        users = get_user_model().objects.filter(Q(is_active=True) | Q(pk=self.instance.user_id))
        self.fields["user"].queryset = users.order_by("last_name", "username")


class EndAppointmentForm(BootstrapFormMixin, forms.Form):
    until = date_field("полномочия прекращены (последний день)")
