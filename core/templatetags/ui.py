import hashlib
from decimal import Decimal

from django import forms, template
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe

from core import access
from core.changes import remember
from core.formats import count_text, date_text, datetime_text, yuan_text
from core.money import capital_amount
from core.numbers import round2
from core.tables import RESPONSIVE, body_html, table_html

register = template.Library()


@register.filter
def styled(bound_field, extra: str = ""):
    """Render a form field's widget with the Bootstrap class that fits it."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.NullBooleanSelect):
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    if extra:
        if css.startswith("form-select"):  # a select's own size class, so that it lines up with the inputs
            extra = extra.replace("form-control-", "form-select-")
        css += f" {extra}"
    return bound_field.as_widget(attrs={"class": css})


@register.filter
def percent(value) -> str:
    """Show a percentage number with 2 places and a % sign."""
    if value is None or value == "":
        return "—"
    return f"{value:.2f}%"


# Counts, money and dates: one rule each, in core.formats (5,464 · 891,650.00 · 2023年4月20日 · … 14:05).
register.filter("num", count_text)
register.filter("yuan", yuan_text)
register.filter("day", date_text)
register.filter("moment", datetime_text)


@register.filter
def capital(value) -> str:
    """An amount in Chinese capital numerals (大写金额)."""
    if value is None or value == "":
        return ""
    return capital_amount(value)


@register.filter
def wan(value) -> str:
    """An amount in 万元 with 2 places (3717600 → 371.76), as the report writes it."""
    if value is None or value == "":
        return "—"
    return f"{round2(Decimal(value) / 10000):,.2f}"


@register.filter
def minutes(value) -> int:
    """Whole minutes of a timedelta (the login lockout's cool-off)."""
    return round(value.total_seconds() / 60) if value else 0


@register.simple_tag(takes_context=True)
def table_body(context, table):
    """A django-tables2 table's rows, written in one pass (core.tables.body_html)."""
    return body_html(table, context)


@register.simple_tag(takes_context=True)
def kept_table(context, table):
    """django-tables2's {% render_table %}, its HTML kept until a table its rows were read from is written
    (core.changes): a list seen again unchanged (another page view, back from a detail page) costs no
    rendering. Kept per page address and per user, with what decides the rows and links a user is shown
    (street, roles, permissions), per day, and per row count (counted in the view, before the marks)."""
    request = context["request"]
    user = request.user
    page = getattr(table, "page", None)
    scope = (
        user.pk,
        user.street_id,
        user.is_superuser,
        tuple(sorted(access.roles_of(user))),  # which rows a role sees (read before the table is)
        tuple(sorted(user.get_all_permissions())),
        request.get_full_path(),
        str(timezone.localdate()),
        # Counted in the view, before the rows are read here: the page links go with that count. Read from
        # the paginator's cached value (asking for .count again would have django-tables2 read the rows).
        vars(page.paginator).get("count") if page is not None else None,
    )
    key = f"table:{type(table).__name__}:{hashlib.sha256(repr(scope).encode()).hexdigest()[:32]}"

    def render() -> str:
        table.context = context
        try:
            table.before_render(request)
            if table.template_name == RESPONSIVE:  # the lists' own template, written in one pass
                return table_html(table, context)
            return get_template(table.template_name).render(context={"table": table}, request=request)
        finally:
            del table.context

    return mark_safe(remember(key, render))
