from collections.abc import Callable
from itertools import groupby

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.money import MONEY
from core.normalise import normalise_text, plain_number_problem, read_amount, validate_plausible_moment

DATE_FIELDS = (forms.DateField, forms.DateTimeField)
# The number fields whose typed text is normalised (full-width digits, thousands separators): counts and
# scores as IntegerField/DecimalField, amounts as Decimal through MoneyField. No form reads a binary float.
NUMBER_FIELDS = (forms.IntegerField, forms.DecimalField)


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class GroupedModelChoiceIterator(forms.models.ModelChoiceIterator):
    """The field's objects as <optgroup>s named by field.group_by (the queryset is ordered by it)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset if self.queryset._prefetch_related_lookups else self.queryset.iterator()
        for group, objects in groupby(queryset, key=self.field.group_by):
            yield (group, [self.choice(obj) for obj in objects])


class GroupedModelChoiceField(forms.ModelChoiceField):
    """A drop-down of many objects in groups, e.g. the district's 146 villages under their 14 streets."""

    iterator = GroupedModelChoiceIterator

    def __init__(self, *args, group_by: Callable[[object], str], **kwargs):
        self.group_by = group_by
        super().__init__(*args, **kwargs)


class MoneyField(forms.DecimalField):
    """An amount in 元 as people write it: 1,000.50, ¥1,000, 1000元, full-width digits; at most 2 decimals.

    Django's DecimalField reads 1_000, Arabic-Indic digits and 1e3 as numbers: this one refuses them with
    the reason (core.normalise.read_amount)."""

    # A text input: a number input would not let anyone type 1,000 or ¥ (the phone keypad still shows).
    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**MONEY, **kwargs})  # the database's money, unless told otherwise

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return read_amount(value, places=self.decimal_places or 2)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


def normalised_data(data):
    """A copy of submitted form data with every text value normalised (core.normalise.normalise_text)."""
    if isinstance(data, QueryDict):
        copy = data.copy()
        for key, values in data.lists():
            copy.setlist(key, [normalise_text(v) if isinstance(v, str) else v for v in values])
        return copy
    return {key: normalise_text(v) if isinstance(v, str) else v for key, v in data.items()}


class NormaliseInput:
    """Mixin for every form that takes what users type: normalise, then validate.

    Text is normalised before any field sees it (look-alike letters, digits and invisible characters
    cannot reach the database or a comparison); every date field keeps to the plausible window; number
    fields refuse what Python alone would read as a number (1_000, ١٠٠٠). Applied in full_clean, so that
    fields a form adds in its own __init__ are covered too.
    """

    def full_clean(self):
        if self.is_bound:
            self.data = normalised_data(self.data)
            for field in self.fields.values():
                if isinstance(field, DATE_FIELDS) and validate_plausible_moment not in field.validators:
                    field.validators.append(validate_plausible_moment)
        super().full_clean()
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            if isinstance(field, NUMBER_FIELDS) and not isinstance(field, MoneyField) and not field.disabled:
                raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
                problem = plain_number_problem(raw) if isinstance(raw, str) else None
                if problem and not self.has_error(name):
                    self.add_error(name, problem)


class Form(NormaliseInput, forms.Form):
    """A form whose input is normalised, then validated (see NormaliseInput)."""


class ModelForm(NormaliseInput, forms.ModelForm):
    """A model form whose input is normalised, then validated (see NormaliseInput)."""
