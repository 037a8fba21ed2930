"""Column attributes shared by the list tables of every app, so that a list reads well on a phone, and
django-tables2 made to read a render method's arguments once (remember_cell_signatures)."""

from django.utils.html import format_html
from django_tables2 import utils as tables_utils

# On a phone (below Bootstrap's md, 768 px) a list keeps the columns that tell one row from another;
# the others are hidden, and what matters of them is stacked under a kept cell (a ticket's time under
# its number, the street under the community). Headers and times never break inside a word, and what
# is still too wide scrolls inside the table's own box (the responsive template), never the page.
RESPONSIVE = "django_tables2/bootstrap5-responsive.html"
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
