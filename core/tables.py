"""Column attributes shared by the list tables of every app, so that a list reads well on a phone, and
django-tables2 made cheaper: a table's rows written in one pass (body_html) and a render method's
arguments read once (remember_cell_signatures)."""

import functools
import inspect

import django_tables2 as tables
from django.db import models
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize, unlocalize
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django_tables2 import utils as tables_utils
from django_tables2.columns import ManyToManyColumn
from django_tables2.columns.base import LinkTransform
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.templatetags.django_tables2 import table_page_range

from core.choices import display as choice_display

# On a phone (below Bootstrap's md, 768 px) a list keeps the columns that tell one row from another;
# the others are hidden, and what matters of them is stacked under a kept cell (a ticket's time under
# its number, the street under the community). Headers and times never break inside a word, and what
# is still too wide scrolls inside the table's own box (the responsive template), never the page.
RESPONSIVE = "includes/table.html"  # django-tables2's bootstrap5-responsive, its rows by body_html
NOWRAP = {"th": {"class": "text-nowrap"}, "td": {"class": "text-nowrap"}}
WIDE_ONLY = {"th": {"class": "text-nowrap d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
WIDE_ONLY_NOWRAP = {
    "th": {"class": "text-nowrap d-none d-md-table-cell"},
    "td": {"class": "text-nowrap d-none d-md-table-cell"},
}
HEADER_NOWRAP = {"th": {"class": "text-nowrap"}}
NUMBER = {"th": {"class": "num"}, "td": {"class": "num"}}


def under_on_phone(main, below) -> str:
    """A cell's value with another (hidden) column's value stacked under it on a phone."""
    return format_html('{}<div class="small text-muted d-md-none">{}</div>', main, below or "—")


_library_signature = tables_utils.signature
_signatures: dict[tuple, tuple] = {}


def _cell_signature(fn):
    """django-tables2's signature(), remembered per code object (and whether bound, which drops `self`)."""
    func = getattr(fn, "__func__", fn)
    code = getattr(func, "__code__", None)
    if code is None or hasattr(func, "__wrapped__"):  # a callable object or a decorated function
        return _library_signature(fn)
    key = (code, func is not fn)
    if key not in _signatures:
        _signatures[key] = _library_signature(fn)
    return _signatures[key]


def remember_cell_signatures() -> None:
    """Make django-tables2 read each render method's arguments once, not once per cell.

    It asks inspect.signature() which arguments a column's render method takes before rendering every cell
    (django_tables2.utils.call_with_appropriate): about 30 µs each, 1,400 times for a page of 200 batch
    lines, a sixth of that page's time. The answer depends only on the method's code, so it is kept per
    code object (a lambda made anew for each table shares its code, so the dict stays as small as the code).
    """
    tables_utils.signature = _cell_signature


def body_html(table, context) -> str:
    """The rows of a django-tables2 table's page, as its bootstrap5 template writes them, in one pass.

    The template renders every cell through a dozen template lookups and a fresh copy of its column's
    attributes (BoundColumn.attrs merges and sorts them again per cell), and BoundRow.get_cell works out
    again per cell what depends only on the column (its accessor's model field, the render method's
    arguments, linkify's reverse() arguments): 0.9 ms a row of the grid list, three times the Django
    admin's changelist. Here a column's <td> and its way to a cell (_cell_reader) are worked out once per
    page; a cell is what get_cell gives, shown as the template shows a value.
    """
    columns = list(table.columns)
    rows = list(table.paginated_rows)
    if not rows:
        if not table.empty_text:
            return ""
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), table.empty_text)
    opening = [None if _computed_attrs(table, c) else f"<td {c.attrs['td'].as_html()}>" for c in columns]
    urls: dict[tuple, str] = {}  # reverse()'s answers for the page: two columns may link to one record
    readers = [_cell_reader(table, c, urls) for c in columns]
    parts = []
    for row in rows:
        if table.row_attrs:
            parts.append(f"<tr {row.attrs.as_html()}>")
        else:
            parts.append(f'<tr class="{row.get_even_odd_css_class()}">')
        for column, read, td in zip(columns, readers, opening, strict=True):
            cell = read(row)
            if td is None:
                column.current_value, column.current_record = cell, row.record
                td = f"<td {column.attrs['td'].as_html()}>"
            if column.localize is not None:
                cell = (localize if column.localize else unlocalize)(cell)
            parts.append(f"{td}{shown(cell, context)}</td>")
        parts.append("</tr>\n")
    return mark_safe("".join(parts))


def table_html(table, context) -> str:
    """The whole table as RESPONSIVE (includes/table.html, django-tables2's bootstrap5-responsive with the
    rows by body_html) writes it, in one pass: the header's sort links, the rows and the page links.

    What the template costs beside the rows: about 4 ms a list, a querystring tag per header and page
    link and a dozen look-ups each, a fifth of a list page (issue 18's lists beside the Django admin).
    The markup is the template's own but for the whitespace between and inside tags, which a browser
    collapses (tests/core/test_tables.py compares the two on every list)."""
    request = context["request"]
    query = dict(request.GET)

    def link(key, value) -> str:  # {% querystring key=value %}
        return escape("?" + urlencode({**query, key: value} if key not in ("", None) else query, doseq=True))

    def attrs(value) -> str:  # {{ x.as_html }}: an AttributeDict's attributes, nothing for a plain dict
        as_html = getattr(value, "as_html", None)
        return as_html() if callable(as_html) else ""

    table_attrs = tables_utils.AttributeDict({"class": "table"})
    table_attrs.update(table.attrs)
    parts = [f'<div class="table-container table-responsive">\n<table {table_attrs.as_html()}>\n']
    columns = list(table.columns)
    if table.show_header:
        parts.append(f"<thead {attrs(table.attrs.get('thead'))}>\n<tr>\n")
        for column in columns:
            header = shown(column.header, context)
            if column.orderable:
                order = link(table.prefixed_order_by_field, column.order_by_alias.next)
                header = f'<a href="{order}">{header}</a>'
            parts.append(f'<th {column.attrs["th"].as_html()} scope="col"> {header} </th>\n')
        parts.append("</tr>\n</thead>\n")
    parts.append(f"<tbody {attrs(table.attrs.get('tbody'))}>\n{body_html(table, context)}\n</tbody>\n")
    if table.has_footer():
        parts.append(f"<tfoot {attrs(table.attrs.get('tfoot'))}>\n<tr>\n")
        for column in columns:
            parts.append(f"<td {column.attrs['tf'].as_html()}>{shown(column.footer, context)}</td>\n")
        parts.append("</tr>\n</tfoot>\n")
    parts.append("</table>\n")
    page = getattr(table, "page", None)
    if page and table.paginator.num_pages > 1:  # the rows are read by now: the page's length costs nothing
        field = table.prefixed_page_field
        parts.append('<nav aria-label="Table navigation">\n<ul class="pagination justify-content-center">\n')
        if page.has_previous():
            parts.append(
                f'<li class="previous page-item"> <a href="{link(field, page.previous_page_number())}" '
                f'class="page-link"> <span aria-hidden="true">&laquo;</span> {shown(gettext("previous"), context)}'
                " </a> </li>\n"
            )
        if page.has_previous() or page.has_next():
            for number in table_page_range(page, table.paginator):
                active = " active" if page.number == number else ""
                href = f' href="{link(field, number)}"' if number != "..." else " "
                parts.append(
                    f'<li class="page-item{active}"> <a class="page-link"{href}> {shown(number, context)} </a> </li>\n'
                )
        if page.has_next():
            parts.append(
                f'<li class="next page-item"> <a href="{link(field, page.next_page_number())}" class="page-link">'
                f' {shown(gettext("next"), context)} <span aria-hidden="true">&raquo;</span> </a> </li>\n'
            )
        parts.append("</ul>\n</nav>\n")
    parts.append("</div>\n")
    return mark_safe("".join(parts))


def shown(value, context) -> str:
    """{{ value }}: render_value_in_context, which leaves safe text as it is and escapes plain text."""
    if type(value) is SafeString:
        return value
    if type(value) is str:
        return escape(value)
    return render_value_in_context(value, context)


def _computed_attrs(table, column) -> bool:
    """Whether a column's <td> attributes depend on the record (a callable in the table's or its own)."""
    attrs = {**table.attrs, **column.column.attrs}
    return any(callable(v) for key in ("td", "cell") for v in attrs.get(key, {}).values())


def _cell_reader(table, bound_column, urls: dict):
    """A function of a BoundRow giving what BoundRow.get_cell(name) gives, for a model table's column.

    What get_cell does per cell, done once: the accessor split and its model field found (a field with
    choices shows get_<field>_display(), from core.choices' labels when it is Django's own), the render
    method's arguments read, linkify's reverse() arguments prepared. A record of another class, a link or
    many-to-many column, or an accessor with arguments goes to get_cell itself.
    """
    column, name, model = bound_column.column, bound_column.name, table._meta.model
    accessor = tables.A(bound_column.accessor)
    if (
        model is None
        or not accessor
        or accessor.callable_args
        or accessor.callable_kwargs
        or isinstance(column, BaseLinkColumn | ManyToManyColumn)
    ):
        return lambda row: row.get_cell(name)
    value_of = _value_reader(model, accessor)
    render = bound_column.render
    plain = getattr(render, "__func__", None) is tables.Column.render  # returns the value as it is
    link = _link_writer(bound_column.link, urls)
    empty_values, default = column.empty_values, bound_column.default

    def read(row):
        record = row.record
        value = value_of(record) if type(record) is model else ASK_THE_LIBRARY
        if value is ASK_THE_LIBRARY:
            return row.get_cell(name)
        if value in empty_values:
            return default
        if plain and link is not False:
            content = value
        else:  # BoundRow._call_render, as it is
            arguments = {
                "value": value,
                "record": record,
                "column": column,
                "bound_column": bound_column,
                "bound_row": row,
                "table": table,
            }
            content = value if plain else tables_utils.call_with_appropriate(render, arguments)
            if link is False:
                return bound_column.link(content, **arguments)
        return content if link is None else link(content, record)

    return read


ASK_THE_LIBRARY = object()


def _value_reader(model, accessor):
    """A record's value as BoundRow._get_and_render_with finds it: None where Accessor.resolve raises, and
    ASK_THE_LIBRARY past anything but model instances (where the accessor would try a dict look-up first)."""
    *path, last = accessor.bits
    field = accessor.get_field(model)
    display_name = f"get_{last}_display"
    shows_display = bool(getattr(field, "choices", ()))
    made_by_django: dict[type, bool] = {}  # whether get_<field>_display is the one Django made for `field`

    def step(current, bit):
        current = getattr(current, bit)
        if callable(current):
            if getattr(current, "alters_data", False):
                raise ValueError(bit)
            if not getattr(current, "do_not_call_in_templates", False):
                current = current()
        return current

    def value_of(record):
        try:
            penultimate = record
            for bit in path:
                penultimate = step(penultimate, bit)
                if penultimate is None:
                    return None
                if not isinstance(penultimate, models.Model):
                    return ASK_THE_LIBRARY
        except Exception:
            return None
        if shows_display:
            display = getattr(penultimate, display_name, None)
            if display is not None:
                kind = type(penultimate)
                if kind not in made_by_django:
                    made_by_django[kind] = _django_display(kind, display_name, field)
                if not made_by_django[kind]:
                    return display()
                return choice_display(field, getattr(penultimate, field.attname))
        try:
            return step(penultimate, last)
        except Exception:
            return None

    return value_of


def _django_display(model, display_name: str, field) -> bool:
    """Whether model.get_<field>_display is the one Django made for `field` (a function of the stored value)."""
    method = inspect.getattr_static(model, display_name, None)
    return isinstance(method, functools.partialmethod) and method.keywords.get("field") is field


def _link_writer(link, urls: dict):
    """linkify's <a href> for a reverse() by view name with accessor arguments, as LinkTransform writes it;
    None without a link, False for any other link (called as it is)."""
    if link is None:
        return None
    params = link.reverse_args
    if (
        not isinstance(link, LinkTransform)
        or link.url
        or link.attrs
        or not isinstance(params.get("viewname"), str)
        or set(params) - {"viewname", "args", "kwargs"}
    ):
        return False
    viewname, args, kwargs = params["viewname"], params.get("args") or (), params.get("kwargs") or {}

    def value(argument, record):
        return argument.resolve(record) if isinstance(argument, tables.A) else argument

    def write(content, record):
        arguments = tuple(value(a, record) for a in args)
        keywords = tuple((key, value(a, record)) for key, a in kwargs.items())
        try:
            url = urls.get((viewname, arguments, keywords))
        except TypeError:  # an argument that is no dictionary key
            url = reverse(viewname, args=arguments, kwargs=dict(keywords))
        if url is None:
            url = urls[viewname, arguments, keywords] = page_url(urls, viewname, arguments, keywords)
        return format_html('<a href="{}">{}</a>', url, content)

    return write


def page_url(urls: dict, viewname: str, arguments: tuple, keywords: tuple) -> str:
    """reverse(viewname, args, kwargs); for whole numbers (a row's primary key), filled into the route
    reversed once for the page (a reverse() is about 20 µs, a row's links a fifth of its cells' time).
    urls: a dict kept for one page (a page's rows written in one pass share it)."""
    values = arguments + tuple(v for _key, v in keywords)
    if not values or any(type(v) is not int or v < 0 for v in values):
        return reverse(viewname, args=arguments, kwargs=dict(keywords))
    shape = ("route", viewname, len(arguments), tuple(key for key, _v in keywords))
    if shape not in urls:
        urls[shape] = _route(viewname, len(arguments), shape[3])
        if urls[shape] is not None and _filled(urls[shape], values) != reverse(
            viewname, args=arguments, kwargs=dict(keywords)
        ):
            urls[shape] = None  # a route that writes a number otherwise than as its digits
    if urls[shape] is None:
        return reverse(viewname, args=arguments, kwargs=dict(keywords))
    return _filled(urls[shape], values)


# Numbers no real key has, each written once into the reversed route and found again there.
_PLACEHOLDER = 907_153_862_410_000


def _route(viewname: str, n_args: int, keys: tuple) -> tuple[list[str], list[int]] | None:
    """The route of a view as text pieces and, between them, which argument goes where; None when its
    pattern refuses large numbers or writes an argument more than once."""
    marks = [str(_PLACEHOLDER + i) for i in range(n_args + len(keys))]
    try:
        url = reverse(
            viewname,
            args=[int(m) for m in marks[:n_args]],
            kwargs={key: int(m) for key, m in zip(keys, marks[n_args:], strict=True)},
        )
    except NoReverseMatch:
        return None
    if any(url.count(m) != 1 for m in marks):
        return None
    order = sorted(range(len(marks)), key=lambda i: url.index(marks[i]))
    pieces, rest = [], url
    for i in order:
        before, rest = rest.split(marks[i])
        pieces.append(before)
    pieces.append(rest)
    return pieces, order


def _filled(route: tuple[list[str], list[int]], values: tuple) -> str:
    pieces, order = route
    parts = [pieces[0]]
    for piece, i in zip(pieces[1:], order, strict=True):
        parts += [str(values[i]), piece]
    return "".join(parts)
