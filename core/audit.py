"""Readable change history (who, when, what changed from what to what) from django-simple-history."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from core.formats import date_text, datetime_text, yuan_text

HISTORY_TYPES = {"+": _("创建"), "~": _("修改"), "-": _("删除")}


def attribute(instance, user, reason: str = "") -> None:
    """Name who makes the next save of a tracked instance, and why (outside a request too)."""
    instance._history_user = user
    if reason:
        instance._change_reason = reason[:100]  # simple-history stores at most 100 characters


def _display(field, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return names.get(value, str(value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    if isinstance(value, dt.date):
        return date_text(value)
    if isinstance(value, Decimal):
        return yuan_text(value)
    return str(value)


def history_rows(records, fields: list[str], *, names: dict | None = None) -> list[dict]:
    """Turn historical records into rows, newest first, each listing the tracked fields that changed.

    records: any iterable of one object's historical records; names: labels for related ids.
    """
    names = names or {}
    ordered = sorted(records, key=lambda r: (r.history_date, r.history_id))
    rows = []
    previous = None
    for record in ordered:
        model_fields = {f.name: f for f in record.instance_type._meta.fields}
        changes = []
        for name in fields:
            field = model_fields[name]
            attname = field.attname
            new = getattr(record, attname)
            old = getattr(previous, attname) if previous is not None else None
            if previous is None and record.history_type == "+":
                continue
            if old != new:
                changes.append(
                    {
                        "field": str(field.verbose_name),
                        "old": _display(field, old, names),
                        "new": _display(field, new, names),
                    }
                )
        rows.append(
            {
                "when": record.history_date,
                "user": record.history_user,
                "type": HISTORY_TYPES.get(record.history_type, record.history_type),
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
        previous = record
    return list(reversed(rows))
