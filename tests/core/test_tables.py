"""django-tables2 reads a render method's arguments once per code object (core.tables)."""

import datetime as dt
import functools
import re

import django_tables2 as tables
import pytest
from django.template import Context
from django.test import RequestFactory
from django.urls import NoReverseMatch, re_path, reverse
from django_tables2 import RequestConfig
from django_tables2 import utils as tables_utils

from assessments.models import HotlineComplaint, WhistleTicket
from assessments.selectors import hotline as hotline_selectors
from assessments.selectors import whistle as whistle_selectors
from assessments.tables import ComplaintTable, TicketTable
from core import tables as core_tables
from disbursements.models import DisbursementBatch
from disbursements.selectors import lines_for_table
from disbursements.tables import BatchTable, LineTable
from grids import selectors as grid_selectors
from grids.models import Grid, GridStaff, StaffRole
from grids.tables import GridTable, StaffTable
from grids.views import GridListView
from tests.disbursements.receipt_helpers import pay_special


class Column:
    def render(self, value, record):
        return value

    def render_everything(self, **kwargs):
        return kwargs


def plain(value, *args, table=None):
    return value


def decorated(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)

    return wrapper


class Callable:
    def __call__(self, bound_row):
        return bound_row


def test_django_tables2_reads_signatures_through_the_cache():
    assert tables_utils.signature is core_tables._cell_signature


def test_cached_signatures_match_the_library_for_every_kind_of_callable():
    callables = [
        Column().render,
        Column().render_everything,
        Column.render,
        plain,
        decorated(plain),
        Callable(),
        lambda record: record,
    ]
    for fn in callables:
        assert core_tables._cell_signature(fn) == core_tables._library_signature(fn)
        assert core_tables._cell_signature(fn) == core_tables._library_signature(fn)  # from the cache


def test_one_entry_per_code_object_not_per_bound_method_or_lambda():
    before = len(core_tables._signatures)
    for _ in range(5):
        core_tables._cell_signature(Column().render)
        core_tables._cell_signature(lambda value: value)
    assert len(core_tables._signatures) - before <= 2


# body_html: a table's rows as django-tables2's own template writes them.

STOCK = "django_tables2/bootstrap5-responsive.html"


def _rows(html: str) -> str:
    """The <tbody> of a rendered table, without the whitespace between tags (the template's indentation)."""
    body = re.search(r"<tbody[^>]*>(.*)</tbody>", html, re.S).group(1)
    return re.sub(r">\s+<", "><", body.strip())


def _same_as_the_library(table_class, data, **kwargs):
    request = RequestFactory().get("/")
    ours = table_class(data, **kwargs).as_html(request)
    stock = table_class(data, template_name=STOCK, **kwargs).as_html(request)
    assert _rows(ours) == _rows(stock)
    assert ours.count("<tr") == stock.count("<tr")
    # The rest of the table (header links, pagination) is the library's template, untouched.
    outside = [re.sub(r"\s+", " ", re.sub(r"<tbody.*</tbody>", "", h, flags=re.S)) for h in (ours, stock)]
    assert outside[0] == outside[1]
    # And the whole table written in one pass (table_html, what the list pages show) is the same markup.
    table = table_class(data, **kwargs)
    table.before_render(request)
    assert _whole(core_tables.table_html(table, Context({"request": request}))) == _whole(stock)
    return ours


def _whole(html: str) -> str:
    """A table's markup with whitespace as a browser reads it: runs as one space, none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def _paginated_both_ways(table_class, data, query: dict, per_page: int, **kwargs) -> tuple[str, str]:
    """A page of a table as table_html writes it and as the library's template does, for one request."""
    request = RequestFactory().get("/grids/list/", query)
    pages = []
    for template in (core_tables.RESPONSIVE, STOCK):
        table = table_class(data, template_name=template, **kwargs)
        RequestConfig(request, paginate={"per_page": per_page}).configure(table)
        if template == STOCK:
            pages.append(table.as_html(request))
        else:
            table.before_render(request)
            pages.append(core_tables.table_html(table, Context({"request": request})))
    return pages[0], pages[1]


@pytest.fixture
def listed(roster, q1, users, budget):
    """Rows with what a list shows in more than one way: retired, ended, unmatched, 核减, a paid batch."""
    a, b = roster["a"], roster["b"]
    Grid.objects.filter(pk=b["level4"][1].pk).update(retired_on=dt.date(2022, 3, 1))
    GridStaff.objects.filter(grid=a["level4"][1]).update(ended_on=dt.date(2022, 2, 1), role=StaffRole.HEAD)
    for n, (community, valid, counts) in enumerate(
        [(a["community"], True, True), (None, True, True), (b["community"], False, False)]
    ):
        HotlineComplaint.objects.create(
            ticket_no=f"GD2022010500010{n}",
            received_at=dt.datetime(2022, 1, 5, 1, n, tzinfo=dt.UTC),
            received_on=dt.date(2022, 1, 5),
            street=a["street"] if community is None else community.street,
            community=community,
            street_text="a街道",
            community_text="" if community else "<某>社区",
            is_valid=valid,
            invalid_reason="" if valid else "重复工单",
            counts=counts,
            complaint_type="" if n else "投诉",
        )
    collected = dt.datetime(2022, 1, 5, 1, tzinfo=dt.UTC)
    WhistleTicket.objects.create(
        number="LFS-000", grid=a["level4"][0], street=a["street"], reporter="张三", collected_at=collected
    )
    WhistleTicket.objects.create(
        number="LFS-001",
        grid=b["level4"][1],
        street=b["street"],
        reporter="李四",
        department="城管",
        status="closed",
        collected_at=collected,
        whistled_at=collected + dt.timedelta(hours=1),
        reported_at=collected + dt.timedelta(hours=2),
        closed_at=collected + dt.timedelta(days=2),
    )
    return pay_special(users, "专项<经费>", [(a["community"], "3000.00"), (b["street"], "800.50")])


def test_the_lists_rows_are_the_library_templates_rows(listed, users):
    center = users["center"]
    page = _same_as_the_library(GridTable, GridListView.base_queryset(center))
    assert '<a href="/grids/' in page and "2022年3月1日 撤销" in page and "四级网格" in page
    _same_as_the_library(StaffTable, grid_selectors.staff_for_table(center))
    page = _same_as_the_library(ComplaintTable, hotline_selectors.complaints_for_table(center))
    assert "&lt;某&gt;社区" in page and "已核减" in page
    _same_as_the_library(TicketTable, whistle_selectors.tickets_for_table(center))
    page = _same_as_the_library(LineTable, lines_for_table(center, listed), exclude=("adjustment",))
    assert "3,000.00" in page
    _same_as_the_library(BatchTable, DisbursementBatch.objects.all())


def test_a_page_of_a_paginated_table_and_an_empty_table_are_the_librarys(listed, users):
    request = RequestFactory().get("/", {"page": 2})
    pages = []
    for template in (None, STOCK):
        table = GridTable(GridListView.base_queryset(users["center"]), template_name=template)
        RequestConfig(request, paginate={"per_page": 3}).configure(table)
        pages.append(table.as_html(request))
    assert _rows(pages[0]) == _rows(pages[1]) and pages[0].count("<tr") == 4  # a header and 3 rows
    page = _same_as_the_library(GridTable, Grid.objects.none())
    assert '<td colspan="10">没有符合条件的网格。</td>' in page


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"page": 1}, id="first page"),
        pytest.param({"page": 5, "sort": "-name", "q": "网格 <&>", "level": ["3", "4"]}, id="middle, sorted"),
        pytest.param({"page": 10}, id="last page"),
    ],
)
def test_a_whole_paginated_table_written_in_one_pass_is_the_librarys(listed, users, query, settings):
    settings.DJANGO_TABLES2_PAGE_RANGE = 4  # ten pages of one grid: both "..." of the page links
    data = GridListView.base_queryset(users["center"])
    assert data.count() == 10
    ours, stock = _paginated_both_ways(GridTable, data, query, per_page=1)
    assert _whole(ours) == _whole(stock)
    assert ours.count('class="page-item') == stock.count('class="page-item') > 3
    if query["page"] == 5:
        assert ours.count('<a class="page-link" >') == 2  # "..." on both sides: no link
        assert "q=%E7%BD%91%E6%A0%BC+%3C%26%3E" in ours and "level=3&amp;level=4" in ours
        assert "上一页" in ours and "下一页" in ours


def test_a_table_written_in_one_pass_reads_the_page_once(listed, users, django_assert_num_queries):
    request = RequestFactory().get("/", {"page": 2})
    table = GridTable(GridListView.base_queryset(users["center"]))
    RequestConfig(request, paginate={"per_page": 3}).configure(table)
    table.before_render(request)
    with django_assert_num_queries(1):  # the page's rows; the count was read when paginating
        html = core_tables.table_html(table, Context({"request": request}))
    assert html.count("<tr") == 4


class EveryKindOfColumn(tables.Table):
    """Columns the app's lists do not use, which body_html must still show as the library does."""

    code = tables.Column(
        attrs={"td": {"data-code": lambda record: getattr(record, "code", "")}}
    )  # per record
    name = tables.Column(linkify=True, localize=True)  # get_absolute_url: the library's own link
    level = tables.Column(accessor="parent__level", attrs={"td": {"class": "b a"}})  # choices, a null parent
    kind = tables.Column(accessor="community__kind", default="无")  # choices across a relation
    established_on = tables.DateColumn(localize=False)
    street = tables.Column(accessor="street__name__upper")  # a method called on the way
    template = tables.TemplateColumn("{{ record.code }}<b>{{ value }}</b>", accessor="name")
    check = tables.CheckBoxColumn(accessor="pk")
    missing = tables.Column(accessor="parent__nothing_here", empty_values=())

    class Meta:
        model = Grid
        fields = ["code", "name", "level", "kind", "established_on"]
        template_name = core_tables.RESPONSIVE
        row_attrs = {"data-id": lambda record: getattr(record, "pk", "-")}
        attrs = {"td": {"class": "cell"}}

    def render_street(self, value, bound_row):
        return f"{value}#{bound_row.row_counter}"


def test_columns_of_every_kind_are_shown_as_the_library_shows_them(roster, monkeypatch):
    monkeypatch.setattr(Grid, "get_absolute_url", lambda grid: f"/grids/{grid.pk}/", raising=False)
    records = list(Grid.objects.select_related("parent", "street", "community").order_by("code"))
    page = _same_as_the_library(EveryKindOfColumn, records)
    assert 'data-code="' in page and 'data-id="' in page and "<b>" in page
    # A model's own get_<field>_display may say more than the stored value: it is asked for every row.
    monkeypatch.setattr(Grid, "get_kind_display", lambda grid: f"{grid.name}的类型")
    page = _same_as_the_library(EveryKindOfColumn, records)
    assert "a社区的类型" in page and "b社区的类型" in page


class GridsAsDicts(tables.Table):
    parent_level = tables.Column(accessor="parent__level")

    class Meta:
        model = Grid
        fields = ["code", "name", "level"]
        template_name = core_tables.RESPONSIVE


def test_records_that_are_no_model_instances_are_read_by_the_library(db):
    page = _same_as_the_library(GridsAsDicts, [{"code": "1", "name": "<x>", "level": 2, "parent__level": 1}])
    assert "&lt;x&gt;" in page


# Links: a route reversed once a page, numbers filled in (core.tables.page_url).

urlpatterns = [
    re_path(r"^year/(?P<year>[0-9]{4})/$", lambda request, year: None, name="four_digits"),
    re_path(r"^twice/(?P<pk>[0-9]+)/(?P=pk)/$", lambda request, pk: None, name="twice"),
]


@pytest.mark.parametrize(
    ("viewname", "args", "kwargs"),
    [
        pytest.param("grids:detail", (), {"pk": 5}, id="keyword"),
        pytest.param("grids:detail", (7,), {}, id="positional"),
        pytest.param("grids:detail", (), {"pk": 0}, id="zero"),
        pytest.param("assessments:rating_entry", (), {"community_pk": 31, "pk": 4}, id="two, out of order"),
        pytest.param("assessments:rating_entry", (12, 345), {}, id="two positional"),
    ],
)
def test_a_link_filled_into_its_route_is_what_reverse_gives(viewname, args, kwargs):
    urls: dict = {}
    for step in range(3):  # the first row reverses the route; the next ones fill it in
        values = tuple(a + step for a in args)
        keywords = tuple((key, value + step) for key, value in kwargs.items())
        expected = reverse(viewname, args=values, kwargs=dict(keywords))
        assert core_tables.page_url(urls, viewname, values, keywords) == expected
    assert any(key[0] == "route" and urls[key] is not None for key in urls if isinstance(key, tuple))


@pytest.mark.urls("tests.core.test_tables")
@pytest.mark.parametrize(
    ("viewname", "kwargs", "expected"),
    [
        pytest.param("four_digits", {"year": 2022}, "/year/2022/", id="refuses large numbers"),
        pytest.param("twice", {"pk": 3}, "/twice/3/3/", id="writes the number twice"),
    ],
)
def test_a_route_that_cannot_be_filled_in_is_reversed_for_every_row(viewname, kwargs, expected):
    urls: dict = {}
    keywords = tuple(kwargs.items())
    assert core_tables.page_url(urls, viewname, (), keywords) == expected
    assert urls[("route", viewname, 0, tuple(kwargs))] is None


def test_arguments_other_than_whole_numbers_are_reversed_as_they_are(db):
    urls: dict = {}
    assert core_tables.page_url(urls, "grids:detail", (), (("pk", "8"),)) == reverse(
        "grids:detail", kwargs={"pk": 8}
    )
    with pytest.raises(NoReverseMatch):  # True is no number to a route, as reverse() says too
        core_tables.page_url(urls, "grids:detail", (), (("pk", True),))
    assert not urls
