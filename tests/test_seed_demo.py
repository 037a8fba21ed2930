import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from pypdf import PdfReader

from assessments.models import (
    AssessmentYear,
    GridRating,
    HotlineComplaint,
    Rating,
    WhistleTicket,
    ZeroComplaintResult,
)
from assessments.rules import closure_rate
from core.models import User
from core.roles import Role
from disbursements.models import Budget, PassOn, StreetReceipt
from disbursements.selectors import budget_summary
from disbursements.selectors_receipts import overdue_parts, street_parts
from grids import selectors
from grids.models import Grid, GridStaff
from reports.exports import self_evaluation_pdf
from reports.models import SelfEvaluation

REPORT_QUARTERS = {1: Decimal("891650"), 2: Decimal("709200"), 3: Decimal("717750"), 4: Decimal("999000")}


def quarter_reward(settings, period) -> Decimal:
    """Apply the year's rules to a locked quarter's results (independently of the app's generator)."""
    rewards = {(r.level, r.rating): r.amount for r in settings.rating_rewards.all()}
    total = sum(
        (rewards[(level, rating)] * n)
        for level, rating, n in GridRating.objects.filter(period=period)
        .values_list("level", "rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    for kind, n in (
        ZeroComplaintResult.objects.filter(period=period, is_zero=True)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        total += n * (
            settings.zero_complaint_reward_urban if kind == "urban" else settings.zero_complaint_reward_rural
        )
    return total


# Seeds the whole demo district: run by `make test` and CI, not by the everyday `make test-quick`.
@pytest.mark.slow
def test_seed_demo_builds_the_2022_district_and_is_idempotent(db):
    call_command("seed_demo", year=2022, stdout=open("/dev/null", "w"))  # noqa: SIM115
    levels = dict(Grid.objects.values_list("level").annotate(n=Count("id")).order_by())
    assert levels == {1: 14, 2: 146, 3: 725, 4: 5464}
    assert Grid.objects.filter(level=2, kind="urban").count() == 50
    assert selectors.coverage()["rate"] == Decimal("100.00")
    roles = {u.username: set(u.groups.values_list("name", flat=True)) for u in User.objects.all()}
    assert roles["center"] == {Role.CENTER_STAFF} and roles["admin"] == {Role.ADMIN}
    assert User.objects.get(username="street").street.name == "高塘岭街道"

    settings = AssessmentYear.objects.get(year=2022)
    for period in settings.periods.order_by("quarter"):
        assert period.is_locked
        excellent = dict(
            GridRating.objects.filter(period=period, rating=Rating.EXCELLENT)
            .values_list("level")
            .annotate(n=Count("id"))
            .order_by()
        )
        assert excellent == {3: 355, 4: 757}
        assert GridRating.objects.filter(period=period).count() == 6189
        assert quarter_reward(settings, period) == REPORT_QUARTERS[period.quarter]
        # The frozen results agree with the complaints that count.
        nonzero = set(
            ZeroComplaintResult.objects.filter(period=period, is_zero=False).values_list(
                "community_id", flat=True
            )
        )
        counted = set(
            HotlineComplaint.objects.received_in(period).counted().values_list("community_id", flat=True)
        )
        assert nonzero == counted
    tickets = WhistleTicket.objects.filter(collected_at__year=2022)
    assert tickets.count() == 12857
    rate = closure_rate(tickets.filter(status="closed").count(), tickets.count())
    assert Decimal("90") <= rate < Decimal("100")

    budget = Budget.objects.get(year=2022)
    batches = {b.title: (b.status, b.total) for b in budget.batches.all()}
    assert batches == {
        "2022年第1季度考核奖励": ("paid", Decimal("891650.00")),
        "2022年第2季度考核奖励": ("paid", Decimal("709200.00")),
        "2022年第3季度考核奖励": ("paid", Decimal("717750.00")),
        "2022年第4季度考核奖励": ("paid", Decimal("999000.00")),
        "2022年度示范社区“雷锋哨”阵地建设经费及三级网格指导员奖励资金": ("paid", Decimal("400000.00")),
    }
    # Each paid batch's notice has its 文号 from the year of its payment day, in order of payment.
    assert list(budget.batches.order_by("paid_on").values_list("notice_no", flat=True)) == [
        "望网格〔2022〕1号",
        "望网格〔2022〕2号",
        "望网格〔2022〕3号",
        "望网格〔2023〕1号",
        "望网格〔2023〕2号",
    ]
    for batch in budget.batches.all():
        assert batch.total == sum(batch.lines.values_list("amount", flat=True))
        assert batch.created_by.username == "center" and batch.approved_by.username == "finance"
    summary = budget_summary(budget)
    assert (summary["paid"], summary["execution_rate"]) == (Decimal("3717600.00"), Decimal("92.94"))
    assert_2022_money_reached_every_community()

    # The 2022 self-evaluation reads the report's figures, all computed.
    out = io.StringIO()
    call_command("export_self_evaluation", year=2022, format="json", output="-", stdout=out)
    figures = json.loads(
        out.getvalue().rsplit("\n", 1)[0] if out.getvalue().endswith("\n") else out.getvalue()
    )
    assert figures["funds"] == {
        "budget": "4000000.00",
        "executed": "3717600.00",
        "execution_rate": "92.94",
        "points": "10",
        "score": "9.29",
    }
    assert figures["scores"] == {
        "funds": "9.29",
        "output": "50.00",
        "benefit": "30.00",
        "satisfaction": "10.00",
        "total": "99.29",
    }
    assert figures["grade"] == "优"
    assert figures["quarterly_disbursements"] == ["891650.00", "709200.00", "717750.00", "999000.00"]
    assert figures["special_disbursements"] == "400000.00"
    values = figures["values"]
    assert [values[f"grids_level{n}"] for n in (1, 2, 3, 4)] == ["14", "146", "725", "5464"]
    assert (values["whistle_tickets"], values["coverage"]) == ("12857", "100.00")
    assert (figures["report_date"], figures["issuer"]) == ("2023-02-24", "长沙市望城区社会治理服务中心")
    pdf = PdfReader(io.BytesIO(self_evaluation_pdf(SelfEvaluation.objects.get(year=2022))))
    text = "".join(page.extract_text() for page in pdf.pages)
    for expected in (
        "综合评价得分99.29分",
        "全年共拨付3717600元",
        # The reference report's sentence, its special payment named from the special batch's lines.
        "2022年“热线+网格、吹哨+报到”专项经费预算共400万元，一季度拨付奖励资金891650元、二季度拨付奖励资金709200元、"
        "三季度拨付奖励资金717750元、四季度拨付奖励资金999000元、年终拨付示范社区“雷锋哨”阵地建设经费以及三级网格指导员奖励资金"
        "400000元，全年共拨付3717600元。",
        "其中资金执行率得分9.29分",
        "安排专项预算400万元",
        "二级网格146个，三级网格725个，四级网格5464个",
        "“雷锋哨”年度采集哨单12857条",
        "覆盖率达到100%",
        "当年实际使用资金371.76万元",
        "项目支出绩效自评表",
        "2023年2月24日",
    ):
        assert expected in text.replace(" ", "").replace("\n", ""), expected

    # 2023 was opened through the page's service: its quarters open, its budget, and its self-evaluation in
    # progress with the hand-entered indicators to fill.
    opened = SelfEvaluation.objects.get(year=2023)
    assert opened.status == "draft" and [i.name for i in opened.indicators.all() if i.awaiting_input] == [
        "解决基层群众急难愁盼问题",
        "“热线+网格、吹哨+报到”工作机制推广落实",
        "群众满意度",
    ]
    assert AssessmentYear.objects.get(year=2023).periods.filter(status="open").count() == 4
    assert Budget.objects.get(year=2023).amount == Decimal("4000000.00")
    assert_2023_money_held_by_two_streets()

    counts = (
        Grid.objects.count(),
        GridStaff.objects.count(),
        User.objects.count(),
        GridRating.objects.count(),
        WhistleTicket.objects.count(),
        HotlineComplaint.objects.count(),
        StreetReceipt.objects.count(),
        PassOn.objects.count(),
    )
    call_command("seed_demo", year=2022, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (
        Grid.objects.count(),
        GridStaff.objects.count(),
        User.objects.count(),
        GridRating.objects.count(),
        WhistleTicket.objects.count(),
        HotlineComplaint.objects.count(),
        StreetReceipt.objects.count(),
        PassOn.objects.count(),
    ) == counts


def assert_2022_money_reached_every_community():
    """Every street received its part of each 2022 batch and passed each share on in full within two weeks."""
    parts = street_parts(User.objects.get(username="center"), year=2022)
    assert len({p.batch.pk for p in parts}) == 5 and len({p.street_id for p in parts}) == 14
    assert not [p for p in parts if p.is_open]
    assert sum((p.passed + p.own for p in parts), Decimal("0")) == Decimal("3717600.00")
    for part in parts:
        assert part.receipt.amount == part.amount
        received = (part.receipt.received_on - part.batch.paid_on).days
        passed = {(e.passed_on - part.batch.paid_on).days for e in part.receipt.passes.all()}
        assert 0 < received <= min(passed or {received}) and max(passed or {received}) <= 14
        assert bool(passed) == bool(part.communities)  # a street paid only its own lines passes nothing on
        assert part.receipt.created_by.street_id == part.street_id
    assert User.objects.get(username="street").pk in {p.receipt.created_by_id for p in parts}
    assert PassOn.objects.filter(kind="correction").count() == 0


def assert_2023_money_held_by_two_streets():
    """2023's paid batch gave every community 1,500 元; two streets still hold part of it, both overdue."""
    center = User.objects.get(username="center")
    parts = street_parts(center, year=2023)
    assert len({p.batch.pk for p in parts}) == 1 and len(parts) == 14
    assert parts[0].batch.total == Decimal("1500.00") * 146
    holding = {p.street_name: (p.receipt is not None, p.held, len(p.pending)) for p in parts if p.is_open}
    unconfirmed = next(p for p in parts if p.street_name == "喻家坡街道")
    # 喻家坡 has not confirmed: nothing counts as received or held there yet, all its shares wait
    assert unconfirmed.amount == Decimal("1500.00") * len(unconfirmed.communities)
    assert holding == {
        "高塘岭街道": (True, Decimal("4500.00"), 3),
        "喻家坡街道": (False, Decimal("0.00"), len(unconfirmed.communities)),
    }
    assert {p.street_name for p in overdue_parts(center)} == {"高塘岭街道", "喻家坡街道"}
    # each demo street admin sees only its own street's open part
    for username, street in (("street", "高塘岭街道"), ("street2", "喻家坡街道")):
        assert [p.street_name for p in overdue_parts(User.objects.get(username=username))] == [street]


def test_seed_demo_refuses_years_it_cannot_build(db):
    with pytest.raises(CommandError, match="只提供 2022 年"):
        call_command("seed_demo", year=2023, stdout=io.StringIO())
