"""Column attributes shared by the list tables of every app, so that a list reads well on a phone."""

from django.utils.html import format_html

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
