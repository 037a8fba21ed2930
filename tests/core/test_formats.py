"""Counts, money and dates read one way on every page and document (core.formats and its filters)."""

import datetime as dt
from decimal import Decimal

from django.template import Context, Template
from django.utils import timezone

from core.formats import count_text, counted, date_text, datetime_text, yuan_text


def test_counts_have_thousands_separators():
    assert count_text(6349) == "6,349"
    assert count_text(12) == "12"
    assert count_text(None) == "—"


def test_money_has_separators_two_places_and_rounds_half_up():
    assert yuan_text(Decimal("835580")) == "835,580.00"
    assert yuan_text(Decimal("0.005")) == "0.01"
    assert yuan_text("") == "—"


def test_dates_are_written_the_chinese_way_without_leading_zeros():
    assert date_text(dt.date(2023, 4, 20)) == "2023年4月20日"
    assert date_text(dt.date(2022, 1, 5)) == "2022年1月5日"
    assert date_text(None) == "—"


def test_a_moment_is_shown_in_local_time():
    # 2022-12-31 17:30 UTC is already 1 January in Changsha (UTC+8).
    moment = dt.datetime(2022, 12, 31, 17, 30, tzinfo=dt.UTC)
    assert datetime_text(moment) == "2023年1月1日 01:30"
    assert date_text(moment) == "2023年1月1日"
    assert datetime_text(dt.date(2023, 1, 1)) == "2023年1月1日"  # a day alone has no time to show


def test_the_template_filters_use_the_same_rules():
    rendered = Template("{% load ui %}{{ n|num }} {{ m|yuan }} {{ d|day }} {{ t|moment }}").render(
        Context(
            {
                "n": 5464,
                "m": Decimal("52000"),
                "d": dt.date(2023, 4, 20),
                "t": timezone.make_aware(dt.datetime(2023, 4, 20, 9, 5)),
            }
        )
    )
    assert rendered == "5,464 52,000.00 2023年4月20日 2023年4月20日 09:05"


def test_counts_in_messages_are_written_with_separators():
    # Only counts change: text and flags pass through as they are.
    assert counted({"n": 6189, "who": "中心", "done": True}) == {"n": "6,189", "who": "中心", "done": True}


def test_a_small_select_lines_up_with_a_small_input():
    from django import forms

    from core.templatetags.ui import styled

    class Filter(forms.Form):
        q = forms.CharField()
        kind = forms.ChoiceField(choices=[("a", "甲")])

    form = Filter()
    assert 'class="form-control form-control-sm"' in styled(form["q"], "form-control-sm")
    # form-control-sm does not size a select: it gets form-select-sm, 31 px like the input beside it
    assert 'class="form-select form-select-sm"' in styled(form["kind"], "form-control-sm")
