"""get_<field>_display() without rebuilding the field's labels on every call.

Django's Model._get_FIELD_display builds a dict of the field's choices anew on every call, hashing each
lazy label (a gettext each): 13-15 µs a call, and the pages call it for every row they show (a street's
villages, a list's statuses), about 130 times a request of the load test, a tenth of its CPU. A model
that names ChoiceLabels first among its bases gets the same answers from each field's labels looked up
once per language.
"""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_labels: dict[tuple, dict] = {}


def labels(field) -> dict:
    """The field's stored values and their labels in the active language, as _get_FIELD_display reads them."""
    key = (field, get_language())
    found = _labels.get(key)
    if found is None:
        found = {
            make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices
        }
        _labels[key] = found
    return found


def display(field, value):
    """What Model._get_FIELD_display shows for a stored value of the field: its label, or the value itself."""
    key, found = make_hashable(value), labels(field)
    return found[key] if key in found else force_str(value, strings_only=True)


class ChoiceLabels:
    """A model mixin: get_<field>_display() as Django's, from labels() (Django's partialmethod calls this)."""

    def _get_FIELD_display(self, field):
        return display(field, getattr(self, field.attname))
