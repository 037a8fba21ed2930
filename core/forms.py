from collections.abc import Callable
from itertools import groupby

from django import forms
from django.utils.translation import gettext_lazy as _


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
