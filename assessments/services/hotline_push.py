"""12345 tickets pushed by the hotline platform through the API (assessments.api), under the workbook
importer's rules (assessments.importers.hotline): other districts' tickets are refused, every type is kept
but only the year's complaint types count, villages are matched by code or name path and the unmatched
wait in the 未匹配工单 queue, nothing is written into a locked quarter, a known ticket number is never
written twice. Unlike a workbook, which is all or nothing, each item is answered on its own: the good ones
are written, the others are refused with the reason."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from assessments.importers.hotline import COLUMNS, REFUSED, ComplaintPlan, plan_complaints
from assessments.models import HotlineComplaint
from assessments.selectors.hotline import require_ticket_staff
from assessments.services.hotline import new_complaint
from assessments.services.periods import lock_all_periods
from core.xlsx import SheetRows

CREATED, UNMATCHED = "created", "unmatched"


@dataclass
class ItemResult:
    index: int  # the item's place in the pushed list, from 0
    ticket_no: str
    result: str  # created, unmatched (created, waiting to be matched), unchanged or refused
    reason: str = ""


def push_complaints(*, user, source: str, items: list[dict]) -> list[ItemResult]:
    """Write the new tickets among items (dicts keyed like the importer's columns) as one transaction and
    answer each item; sending the same items again writes nothing and answers them unchanged."""
    require_ticket_staff(user, "assessments.add_hotlinecomplaint")
    rows = [(index + 1, item) for index, item in enumerate(items)]  # an item's "row" is its place, from 1
    keys = [column.key for column in COLUMNS]
    sheet = SheetRows(
        sheet=_("推送"),
        header_row=0,
        columns={key: key for key in keys if any(key in item for item in items)},
        rows=rows,
        labels={key: key for key in keys},
        whole={row: tuple(str(item.get(key, "")) for key in keys) for row, item in rows},
        headers=keys,
    )
    with transaction.atomic():
        lock_all_periods()  # no quarter is locked between the check and the write
        plan = plan_complaints(sheet, ComplaintPlan())
        refused = _refusals(plan, items)
        creates = [row for row in plan.creates if row.row not in refused]
        bulk_create_with_history(
            [new_complaint(row, user) for row in creates],
            HotlineComplaint,
            batch_size=1000,
            default_user=user,
            default_change_reason=_("接口推送：%(source)s") % {"source": source},
        )
    created = {row.row: row for row in creates}
    results = []
    for row, item in rows:
        number = str(item.get("ticket_no") or "")
        if row in refused:
            results.append(ItemResult(row - 1, number, REFUSED, refused[row]))
        elif row in created:
            matched = created[row].community_id is not None
            reason = "" if matched else _("未能匹配到村（社区），已进入“未匹配工单”待人工指定。")
            results.append(ItemResult(row - 1, number, CREATED if matched else UNMATCHED, reason))
        else:
            result, reason = plan.left_out.get(row, (REFUSED, _("未写入。")))
            results.append(ItemResult(row - 1, number, result, reason))
    return results


def _refusals(plan: ComplaintPlan, items: list[dict]) -> dict[int, str]:
    """Item row -> why it is refused: its own errors; a ticket number given twice with different contents
    refuses every item of that number (which of them is right is for the sender to say)."""
    refused: dict[int, list[str]] = {}
    for error in plan.errors:
        if error.row:
            refused.setdefault(error.row, []).append(f"{error.column}：{error.message}")
    clashing = {
        str(items[error.row - 1].get("ticket_no"))
        for error in plan.errors
        if error.row and error.column == "ticket_no"
    }
    for row, item in enumerate(items, start=1):  # written, or left out as a repeat of one of them
        if str(item.get("ticket_no")) in clashing and row not in refused:
            refused[row] = [_("ticket_no：同一工单编号在本次推送中出现多次且内容不同，均未写入。")]
    return {row: "；".join(messages) for row, messages in refused.items()}
