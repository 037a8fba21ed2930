"""Ratings and 哨单 statuses as people write them, read by the pure word tables in assessments.rules."""

import pytest

from assessments import rules
from assessments.models import Rating, TicketStatus


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("优秀", Rating.EXCELLENT),
        ("优秀等次", Rating.EXCELLENT),
        ("评为优秀", Rating.EXCELLENT),
        ("\u3000优 秀\u3000", Rating.EXCELLENT),
        ("合格 ", Rating.QUALIFIED),
        ("合格等级", Rating.QUALIFIED),
        ("基本合格", Rating.BASIC),
        ("基本合格档", Rating.BASIC),
        ("不合格", Rating.UNQUALIFIED),
    ],
)
def test_a_rating_is_read_in_its_everyday_forms(text, rating):
    assert rules.parse_rating(text) == rating


@pytest.mark.parametrize("text", ["优", "良", "良好", "较好", "excellent", "", "合格优秀"])
def test_words_of_other_scales_are_not_ratings(text):
    assert rules.parse_rating(text) is None


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("已采集", TicketStatus.COLLECTED),
        ("待吹哨", TicketStatus.COLLECTED),
        ("新建", TicketStatus.COLLECTED),
        ("待处理", TicketStatus.COLLECTED),
        ("已吹哨", TicketStatus.WHISTLED),
        ("待报到", TicketStatus.WHISTLED),
        ("已派发", TicketStatus.WHISTLED),
        ("待签收", TicketStatus.WHISTLED),
        ("已报到/处置中", TicketStatus.PROCESSING),
        ("已报到、处置中", TicketStatus.PROCESSING),
        ("已报到", TicketStatus.PROCESSING),
        ("处理中", TicketStatus.PROCESSING),
        ("处置中", TicketStatus.PROCESSING),
        ("办理中 ", TicketStatus.PROCESSING),
        ("已签收", TicketStatus.PROCESSING),
        ("已办结", TicketStatus.CLOSED),
        ("办结", TicketStatus.CLOSED),
        ("已完成", TicketStatus.CLOSED),
        ("完成", TicketStatus.CLOSED),
        ("已结案", TicketStatus.CLOSED),
        ("结案", TicketStatus.CLOSED),
        ("已销号", TicketStatus.CLOSED),
        ("已办结（超期）", TicketStatus.CLOSED),
        ("处理中(催办)", TicketStatus.PROCESSING),
        ("已反馈", TicketStatus.CLOSED),
        ("已回访", TicketStatus.CLOSED),
    ],
)
def test_a_ticket_status_is_mapped_onto_the_lifecycle(text, status):
    assert rules.parse_ticket_status(text) == status


@pytest.mark.parametrize("text", ["已处理", "已处置", "退回", "作废", ""])
def test_a_status_that_may_mean_two_steps_is_not_guessed(text):
    assert rules.parse_ticket_status(text) is None


def test_every_status_word_belongs_to_one_step_only():
    words = [w for table in rules.TICKET_STATUS_WORDS.values() for w in table]
    assert len(words) == len(set(words))
