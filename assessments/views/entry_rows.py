"""The rating page's rows, written in one pass.

As a template loop, a row cost about 0.7 ms (a dozen translations, twenty lookups, four radio buttons and
three inputs through Django's widget templates), so a community of 60 grids took 45 ms to render — and the
rating page, opened again after each save, is the page the center and the streets use most. Here what
depends only on the page (the translated words, the buttons' colours) is worked out once, and a row is
joined from escaped strings: the same markup as the template wrote.
"""

from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.tables import page_url

BUTTON_COLOURS = {"excellent": "success", "qualified": "primary", "basic": "warning"}  # else danger


def rating_rows(rows, *, choices, can_rate: bool, period_pk: int) -> SafeString:
    """The <tr>s of the rating table for formset.page_rows(): (grid or None, PostedRow or SavedRow) pairs."""
    if not rows:
        return format_html(
            '<tr><td colspan="5" class="text-muted">{}</td></tr>', _("该村（社区）没有参与考核的网格。")
        )
    words = {
        key: conditional_escape(_(key)) for key in ("未评定", "考核等次", "按键", "得分", "备注", "记录")
    }
    disabled = "" if can_rate else " disabled"
    buttons = [
        (conditional_escape(value), conditional_escape(label), BUTTON_COLOURS.get(value, "danger"), number)
        for number, (value, label) in enumerate(choices, start=1)
    ]
    parts, links = [], {}  # the history link's route, reversed once for the page
    for grid, row in rows:
        if grid is None:
            # A posted row for a grid not (or no longer) among the community's: refused, and shown so.
            errors = "".join(format_html("<div>{}</div>", e) for e in row.all_errors())
            parts.append(f'<tr class="table-danger"><td colspan="5">{_hidden(row)}{errors}</td></tr>\n')
            continue
        parts.append(_row(grid, row, words, buttons, disabled, period_pk, links))
    return mark_safe("".join(parts))  # every value above is escaped


def _row(grid, row, words, buttons, disabled, period_pk, links) -> str:
    name, pk = conditional_escape(grid["name"]), grid["pk"]
    unrated = (
        "" if grid["saved"] else f' <span class="badge text-bg-warning fw-normal">{words["未评定"]}</span>'
    )
    chosen = row.value("rating")
    radios = "".join(
        f'<input type="radio" class="btn-check rating-radio" name="{row.name("rating")}" id="r{pk}-{value}" '
        f'value="{value}" autocomplete="off"{" checked" if chosen == value else ""}{disabled}>'
        f'<label class="btn btn-outline-{colour}" for="r{pk}-{value}" title="{words["按键"]} {number}">{label}</label>'
        for value, label, colour, number in buttons
    )
    log = (
        f'<a class="small" href="{page_url(links, "assessments:rating_history", (period_pk, pk), ())}">'
        f"{words['记录']}</a>"
        if grid["saved"]
        else ""
    )
    return (
        f'<tr class="{"table-light fw-semibold" if grid["level"] == 3 else ""}">'
        f'<td class="rating-grid{" ps-4" if grid["level"] == 4 else ""}">{_hidden(row)}{name} '
        f'<span class="text-muted small fw-normal text-nowrap">{conditional_escape(grid["code"])}</span>{unrated}</td>'
        f'<td class="rating-choice"><div class="btn-group btn-group-sm" role="radiogroup" '
        f'aria-label="{name} {words["考核等次"]}">{radios}</div>{_errors(row, "rating")}</td>'
        f'<td class="rating-score"><input type="number" step="0.01" min="0" max="100" inputmode="decimal" '
        f'class="form-control form-control-sm{" is-invalid" if row.errors("score") else ""}" {_named(row, "score")} '
        f'aria-label="{name} {words["得分"]}" placeholder="{words["得分"]}"{disabled}>{_errors(row, "score")}</td>'
        f'<td class="rating-remark"><input type="text" maxlength="200" '
        f'class="form-control form-control-sm{" is-invalid" if row.errors("remark") else ""}" {_named(row, "remark")} '
        f'aria-label="{name} {words["备注"]}" placeholder="{words["备注"]}"{disabled}>{_errors(row, "remark")}</td>'
        f'<td class="rating-log">{log}</td></tr>\n'
    )


def _hidden(row) -> str:
    """The row's grid as the HiddenInput widget writes it (class rating-key: sent with the quota counter)."""
    value = row.value("grid")
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return f'<input type="hidden" name="{row.name("grid")}"{shown} class="rating-key" id="{row.id("grid")}">'


def _named(row, field: str) -> str:
    value = row.value(field)
    return (
        f'name="{row.name(field)}" id="{row.id(field)}" '
        f'value="{"" if value is None else conditional_escape(localize(value))}"'
    )


def _errors(row, field: str) -> str:
    return "".join(
        format_html('<div class="invalid-feedback d-block">{}</div>', e) for e in row.errors(field)
    )
