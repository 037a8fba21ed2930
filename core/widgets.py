"""The form renderer: Django's, with a <select> written in Python rather than through its templates.

Django's select.html includes select_option.html for each option, which includes attrs.html: two template
includes an option, about 60 µs. The grid list's filters hold 170 options (146 villages and communities
among them), 10 ms of a page the Django admin draws in 20. The markup is the templates' own, character for
character (tests/core/test_widgets.py compares the two), and the templates are used as they are whenever a
widget or an app names other ones.
"""

from pathlib import Path

from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

from core.tables import shown

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
ATTRS = "django/forms/widgets/attrs.html"
_DJANGO_TEMPLATES = Path(forms.__file__).resolve().parent / "templates"
_CONTEXT = Context()  # how a template shows a value: autoescaped, localized, in the current time zone


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT and self._stock_select and _stock_options(context["widget"]):
            return select_html(context["widget"])
        return super().render(template_name, context, request)

    @cached_property
    def _stock_select(self) -> bool:
        """Whether the select templates found are Django's own (no app overrides them)."""
        return all(
            Path(self.get_template(name).origin.name).resolve().is_relative_to(_DJANGO_TEMPLATES)
            for name in (SELECT, OPTION, ATTRS)
        )


def _stock_options(widget) -> bool:
    return all(
        option["template_name"] == OPTION for _name, group, _index in widget["optgroups"] for option in group
    )


def select_html(widget) -> str:
    """What select.html renders for a widget's context (with select_option.html and attrs.html), stripped."""
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_shown(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))


def _shown(value) -> str:
    """{{ value }}"""
    return shown(value, _CONTEXT)


def _formatted(value) -> str:
    """{{ value|stringformat:'s' }}"""
    try:
        text = "%s" % (str(value) if isinstance(value, tuple) else value)
    except (ValueError, TypeError):
        text = ""
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs) -> str:
    """attrs.html"""
    return "".join(
        f" {_shown(name)}" if value is True else f' {_shown(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )
