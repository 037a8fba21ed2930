"""雷锋哨 tickets (哨单) pushed by the grid app through the API (assessments.api), under the workbook
importer's rules (assessments.importers.whistle): grids found by code or name path, a ticket's facts fixed
once registered, its lifecycle 已采集 → 已吹哨 → 已报到/处置中 → 已办结 only moving on with its times in
order, nothing written into a frozen year. Unlike a workbook, which is all or nothing, each item is answered
on its own: the good ones are written (created or updated), the others are refused with the reason."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from assessments.importers.whistle import COLUMNS, TicketPlan, plan_tickets
from assessments.services.whistle import lock_ticket_years, street_limit, write_tickets
from core import access
from core.xlsx import SheetRows, compact_text

CREATED, UPDATED, REFUSED = "created", "updated", "refused"
LABELS = {column.key: column.key for column in COLUMNS}  # an item's fields are named by their keys


@dataclass
class ItemResult:
    index: int  # the item's place in the pushed list, from 0
    number: str
    result: str  # created, updated, unchanged or refused
    reason: str = ""


def push_tickets(*, user, source: str, items: list[dict]) -> list[ItemResult]:
    """Create the new tickets among items (dicts keyed like the importer's columns) and move the known
    ones on, as one transaction, and answer each item; the same items again change nothing."""
    access.require(user, "assessments.add_whistleticket")
    access.require(user, "assessments.change_whistleticket")
    # An item's "row" is its place, from 1; each is a sheet of its own (see plan_tickets).
    sheets = [_item_sheet(index + 1, item) for index, item in enumerate(items)]
    with transaction.atomic():
        frozen = lock_ticket_years()  # no year is signed off between the check and the write
        plan = plan_tickets(sheets, TicketPlan(), street_id=street_limit(user), frozen=frozen)
        refused = _refusals(plan, items)
        creates = [row for row in plan.creates if row.row not in refused]
        updates = [row for row in plan.updates if row.row not in refused]
        write_tickets(
            user=user,
            creates=creates,
            updates=updates,
            change_reason=_("接口推送：%(source)s") % {"source": source},
        )
    written = {row.row: CREATED for row in creates} | {row.row: UPDATED for row in updates}
    results = []
    for index, item in enumerate(items):
        row, number = index + 1, str(item.get("number") or "")
        if row in refused:
            results.append(ItemResult(index, number, REFUSED, refused[row]))
        elif row in written:
            results.append(ItemResult(index, number, written[row]))
        else:
            result, reason = plan.left_out.get(row, (REFUSED, _("未写入。")))
            results.append(ItemResult(index, number, result, reason))
    return results


def _item_sheet(row: int, item: dict) -> SheetRows:
    return SheetRows(
        sheet=_("推送"), header_row=0, columns={key: key for key in item}, rows=[(row, item)], labels=LABELS
    )


def _refusals(plan: TicketPlan, items: list[dict]) -> dict[int, str]:
    """Item row -> why it is refused: its own errors; a number given twice refuses every item of that
    number, with that reason alone (the importer refuses the whole workbook; which item is right is for
    the sender to say)."""
    refused: dict[int, list[str]] = {}
    for error in plan.errors:
        refused.setdefault(error.row, []).append(f"{error.column}：{error.message}")
    places: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        places.setdefault(compact_text(item.get("number")), []).append(index + 1)
    for number, rows in places.items():
        if number and len(rows) > 1:
            reason = _("number：哨单编号“%(no)s”在本次推送中出现多次（第%(rows)s条），均未写入。") % {
                "no": number,
                "rows": "、".join(map(str, rows)),
            }
            refused.update({row: [reason] for row in rows})
    return {row: "；".join(messages) for row, messages in refused.items()}
