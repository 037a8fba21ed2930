"""The form renderer writes a <select> in Python exactly as Django's templates do (core.widgets)."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer

from core.widgets import FormRenderer
from grids.filters import GridFilter

STOCK = DjangoTemplates()


class EverySelect(forms.Form):
    plain = forms.ChoiceField(choices=[('a<&"', "L<b>&"), ("", "—"), (3, 3)], initial='a<&"')
    grouped = forms.ChoiceField(choices=[("组<1>", [(1, "一"), (2, dt.date(2022, 1, 5))]), ("x", "X")])
    many = forms.MultipleChoiceField(choices=[(1, "a"), (2, "b")], initial=[1, 2], disabled=True)
    either = forms.NullBooleanField()
    flagged = forms.TypedChoiceField(
        choices=[(True, "是"), (False, "否")],
        widget=forms.Select(attrs={"data-on": True, "data-off": False, "data-zero": 0, "title": "<t>"}),
    )


class CustomOption(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


def _widgets(form) -> list[tuple[str, str]]:
    """Each field's widget as the app renders it and as Django's own renderer does."""
    rendered = []
    for field in form:
        ours = field.as_widget(attrs={"class": "form-select"})
        form.renderer = STOCK
        stock = field.as_widget(attrs={"class": "form-select"})
        form.renderer = FormRenderer()
        rendered.append((ours, stock))
    return rendered


def test_the_app_renders_forms_with_it():
    assert isinstance(get_default_renderer(), FormRenderer)


@pytest.mark.parametrize("data", [None, {"plain": "3", "grouped": "2", "either": "true", "flagged": "False"}])
def test_every_kind_of_select_is_written_as_djangos_templates_write_it(data):
    form = EverySelect(data, renderer=FormRenderer())
    for ours, stock in _widgets(form):
        assert ours == stock
    assert '<optgroup label="组&lt;1&gt;">' in str(form["grouped"])
    assert "2022年1月5日" in str(form["grouped"])


def test_a_filter_forms_selects_are_djangos(roster, users):
    form = GridFilter({"street": str(roster["a"]["street"].pk)}, user=users["center"]).form
    form.renderer = FormRenderer()
    widgets = _widgets(form)
    assert all(ours == stock for ours, stock in widgets)
    assert any(f'data-street="{roster["a"]["street"].pk}"' in ours for ours, _stock in widgets)


def test_a_widget_with_its_own_option_template_keeps_the_templates():
    form = forms.Form(renderer=FormRenderer())
    form.fields["pick"] = forms.ChoiceField(choices=[(1, "一")], widget=CustomOption)
    ((ours, stock),) = _widgets(form)
    assert ours == stock and 'type="select"' in ours
