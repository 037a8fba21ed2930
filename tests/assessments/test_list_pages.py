"""The 12345 and 哨单 lists and the zero-complaint page: columns named apart, and readable on a phone."""

import datetime as dt
import re

import pytest

from assessments.models import HotlineComplaint, WhistleTicket


def _headers(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", th).strip() for th in re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)]


@pytest.fixture
def listed(roster, q1):
    a = roster["a"]
    HotlineComplaint.objects.create(
        ticket_no="GD20220105000101",
        received_at=dt.datetime(2022, 1, 5, 1, 12, tzinfo=dt.UTC),
        received_on=dt.date(2022, 1, 5),
        street=a["street"],
        community=a["community"],
        street_text="a街道",
        community_text="a社区",
    )
    HotlineComplaint.objects.create(
        ticket_no="GD20220106000102",
        received_at=dt.datetime(2022, 1, 6, 1, tzinfo=dt.UTC),
        received_on=dt.date(2022, 1, 6),
        street=a["street"],
        street_text="a街道",
    )
    WhistleTicket.objects.create(
        number="LFS-001",
        grid=a["level4"][0],
        street=a["street"],
        reporter="张三",
        collected_at=dt.datetime(2022, 1, 5, 1, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/assessments/complaints/",
            ["工单编号", "受理时间", "街镇", "村（社区）", "诉求类型", "问题类别", "有效"],
        ),
        (
            "/assessments/tickets/",
            ["哨单编号", "采集时间", "街镇", "网格", "采集人", "问题类别", "责任单位", "状态", "办结时间"],
        ),
    ],
)
def test_the_lists_name_the_street_and_the_community_or_grid_apart(client_for, listed, url, expected):
    assert _headers(client_for("center").get(url).content.decode()) == expected


@pytest.mark.parametrize("url", ["/assessments/complaints/", "/assessments/tickets/"])
def test_on_a_phone_the_lists_keep_the_number_and_place_and_stack_the_time_and_street_under_them(
    client_for, listed, url
):
    page = client_for("center").get(url).content.decode()
    assert '<div class="table-container table-responsive">' in page
    # The time column and the street column are hidden below md; both are repeated under a kept cell.
    hidden = [
        re.sub(r"<[^>]+>", "", th).strip()
        for th in re.findall(r'<th class="d-md-table-cell d-none[^"]*"[^>]*>(.*?)</th>', page, re.S)
    ]
    assert {"街镇", "受理时间"} <= set(hidden) or {"街镇", "采集时间"} <= set(hidden)
    assert '<div class="small text-muted d-md-none">2022年1月5日 09:' in page
    assert '<div class="small text-muted d-md-none">a街道</div>' in page


def test_an_unmatched_ticket_shows_what_the_export_wrote_with_its_street_under_it(client_for, listed):
    page = client_for("center").get("/assessments/complaints/?q=GD20220106000102").content.decode()
    assert (
        '<span class="text-danger">未匹配：</span>未填写<div class="small text-muted d-md-none">a街道</div>'
        in page
    )


def test_the_zero_complaint_table_scrolls_in_its_card_and_keeps_money_on_one_line(client_for, listed, q1):
    page = client_for("center").get(f"/assessments/periods/{q1.pk}/zero-complaint/").content.decode()
    assert (
        '<div class="table-responsive">\n<table class="table table-sm table-hover align-middle mb-0" id="zero-table">'
        in page
    )
    assert 'class="stat-value text-nowrap" id="reward-total"' in page
    assert '<td class="num text-nowrap">5,000.00</td>' in page or '<td class="num text-nowrap">—</td>' in page
    # On a phone the street and the type stack under the community, each unbroken.
    assert '<div class="small text-muted d-md-none"><span class="text-nowrap">a街道</span> · ' in page


def test_the_ratings_overview_labels_its_two_excellent_counts(client_for, q1, roster):
    page = client_for("center").get(f"/assessments/periods/{q1.pk}/ratings/").content.decode()
    assert re.search(r"已评 0 / 3 · <span class=\"text-nowrap\">优秀：三级 0(/\d+)?</span>", page)
    assert re.search(r"<span class=\"text-nowrap\">四级 0(/\d+)?</span>", page)
