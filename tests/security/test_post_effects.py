"""Every POST route of the permission matrix, sent a valid request by each role, with the database checked.

The matrix (test_permission_matrix.py) sends empty POSTs: it shows who may try. Here each POST route
gets real form data, in the world of tests/security/matrix_world.py (everything in street a), as every
role of the matrix and as a user with no role ("nobody"):

- a role in the case's `allowed` must get a success answer and bring about the intended change (a row
  created or changed, a status moved, a transition recorded, a scan stored), checked on the rows of
  the models the case watches;
- every other role must change nothing: the watched models' rows are as they were, and so is the row
  count of every table (history tables included, so that an update leaves a trace too).

Each request runs in a savepoint rolled back afterwards, with what it needs built inside it by the
case (a submitted batch to approve, a retired grid to reinstate, a locked quarter to generate from, the
posting user's own pending upload to confirm): no request sees another's writes. Edit forms are sent
as the page shows them (`form_data`) with one field changed.

A POST route is a matrix row whose POST column gets some role past the login and the method check.
Each one is in CASES (grouped by app, one case per workflow step for the batch transitions) or in
UNCHANGED: the pages that answer a POST without acting on it (lists, detail pages, downloads, the
admin's index, change lists and history pages) and the admin forms refused to everyone; these get
form-like data as every role and must leave every table as it was. A POST route in neither fails
`test_every_post_route_has_cases`, as a URL without a row fails the matrix; a role a case allows must
also be let through by the matrix's empty POST (unless the case acts on another object than the
matrix row's, `matrix_object=False`).

Left with status-only checking (plus the no-change check of UNCHANGED), deliberately:
- the admin's change-list actions: the only one is axes' delete_selected on access attempts, which
  deletes what the covered delete page deletes (unlocking a login);
- the admin forms of the models the project shows read-only there (grids, staff, batches, receipts,
  下发, groups, axes logs) and every admin delete but an access attempt's: 403 to everyone, so there is
  no valid request to send;
- the admin's change form of the matrix's assessment year: its quarter is locked, so it is read-only
  (403); the change is covered on 2023, a year with no locked quarter.
"""

import datetime as dt
import html.parser
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.security.matrix_world import build_world
from tests.security.test_permission_matrix import MATRIX, ROLES, outcome, path_for, url_patterns

EVERYONE = (*ROLES, "nobody")


# ---------------------------------------------------------------------------------------------------
# The database before and after


def table_counts() -> dict[str, int]:
    """The row count of every table, at once; but the sessions, which any logged-in request may touch, and
    the API's call log, which records every call to /api/, a refused one too."""
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table not in ("django_session", "core_apicall") and not model._meta.proxy
    )
    tables = list(dict.fromkeys(tables))
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def rows(labels) -> dict[str, dict]:
    """The rows of the watched models, by label and pk, as plain values."""
    return {
        label: {
            row["pk"]: row for row in apps.get_model(label)._default_manager.values("pk", *_fields(label))
        }
        for label in labels
    }


def _fields(label: str) -> list[str]:
    return [f.attname for f in apps.get_model(label)._meta.concrete_fields if not f.primary_key]


@dataclass
class Changes:
    """What one request changed in the watched models."""

    before: dict
    after: dict

    def created(self, label: str) -> list[dict]:
        old, new = self.before[label], self.after[label]
        return [row for pk, row in new.items() if pk not in old]

    def deleted(self, label: str) -> list[dict]:
        old, new = self.before[label], self.after[label]
        return [row for pk, row in old.items() if pk not in new]

    def changed(self, label: str) -> list[tuple[dict, dict]]:
        old, new = self.before[label], self.after[label]
        return [(old[pk], row) for pk, row in new.items() if pk in old and old[pk] != row]

    def summary(self) -> dict[str, dict[str, list]]:
        """The pks created, changed and deleted, by model: what a refusal must leave empty."""
        return {
            label: {
                "created": [row["pk"] for row in self.created(label)],
                "changed": [new["pk"] for _, new in self.changed(label)],
                "deleted": [row["pk"] for row in self.deleted(label)],
            }
            for label in self.before
            if self.before[label] != self.after[label]
        }

    def one_change(self, label: str, **fields) -> None:
        """Exactly one row of the model changed, and its fields now hold the given values."""
        changed = self.changed(label)
        assert len(changed) == 1, f"{label}: {len(changed)} rows changed"
        new = changed[0][1]
        assert {k: new[k] for k in fields} == fields, f"{label}: {new}"

    def one_created(self, label: str, **fields) -> dict:
        created = self.created(label)
        assert len(created) == 1, f"{label}: {len(created)} rows created"
        assert {k: created[0][k] for k in fields} == fields, f"{label}: {created[0]}"
        return created[0]


# ---------------------------------------------------------------------------------------------------
# Cases


@dataclass(frozen=True)
class Case:
    """A valid POST to one route: who may send it, what it needs, and what it must change."""

    allowed: tuple[str, ...]
    # (world, role) -> (path, data): builds the objects the request needs and returns what to send
    send: Callable
    watch: tuple[str, ...]
    # (world, changes, role) -> None: asserts the intended change after an allowed role's request
    happened: Callable
    label: str = ""
    answers: tuple[str, ...] = ("R", "200")  # the outcomes of a success (see the matrix's `outcome`)
    # False when the case acts on another object than the matrix row's (one the matrix finds read-only)
    matrix_object: bool = True


class World:
    """The matrix world, with the fixtures' objects at hand for the cases."""

    def __init__(self, users, roster, year, kwargs):
        self.users, self.roster, self.year, self.kwargs = users, roster, year, kwargs
        self.a, self.b = roster["a"], roster["b"]


class FormFields(html.parser.HTMLParser):
    """The fields of the POST forms of a page, with the values a browser would send unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[dict, list]] = []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs, []))
        if not self.forms:
            return
        fields = self.forms[-1][1]
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            fields.append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = [attrs.get("name"), None, []]
        elif tag == "option" and self._select is not None:
            self._select[2].append(attrs.get("value", ""))
            if "selected" in attrs:
                fields.append((self._select[0], attrs.get("value", "")))
                self._select[1] = True
        elif tag == "textarea":
            self._textarea = [attrs.get("name"), ""]

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, chosen, options = self._select
            if not chosen and options and self.forms:
                self.forms[-1][1].append((name, options[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1][1].append(tuple(self._textarea))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def form_data(w: World, role: str, path: str, must_have: str) -> dict:
    """What the page's POST form holding field `must_have` sends as it is (its values as shown to the role)."""
    client = Client()
    client.force_login(w.users[role])
    response = client.get(path)
    assert response.status_code == 200, f"GET {path} as {role}: {response.status_code}"
    parser = FormFields()
    parser.feed(response.content.decode())
    for attrs, fields in parser.forms:
        if attrs.get("method", "").lower() == "post" and any(name == must_have for name, _ in fields):
            data: dict = {}
            for name, value in fields:
                if name == "csrfmiddlewaretoken":
                    continue
                data.setdefault(name, []).append(value)
            return {k: v if len(v) > 1 else v[0] for k, v in data.items()}
    raise AssertionError(f"no POST form with {must_have!r} on {path}")


def require(condition, message: str = "") -> None:
    """An assertion usable in a case's lambda."""
    assert condition, message


def upload(name: str, content: bytes) -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


def attempt(w: World, key: str, case: Case, role: str) -> str | None:
    """One valid request as the role in a rolled-back savepoint; what went wrong, or None."""
    with transaction.atomic():
        client = Client()
        if role != "anon":
            client.force_login(w.users[role])
        path, data = case.send(w, role)
        counts, before = table_counts(), rows(case.watch)
        response = client.post(path, data)
        after = rows(case.watch)
        problem = None
        try:
            if role in case.allowed:
                assert outcome(response) in case.answers, f"answered {outcome(response)}"
                case.happened(w, Changes(before, after), role)
            else:
                assert after == before, f"changed {Changes(before, after).summary()}"
                now = table_counts()
                moved = {table: (n, now[table]) for table, n in counts.items() if n != now[table]}
                assert not moved, f"row counts changed: {moved}"
        except AssertionError as exc:
            problem = f"POST {path} ({key}{case.label}) as {role}: {str(exc).splitlines()[0]}"
        transaction.set_rollback(True)
    return problem


def grid_path(w: World, name: str, grid=None, **kwargs) -> str:
    return reverse(f"grids:{name}", kwargs={"pk": (grid or w.a["level4"][0]).pk, **kwargs})


def new_branch_workbook(w: World) -> bytes:
    from tests.grids.test_importer import make_workbook, new_branch

    return make_workbook(*new_branch(w.roster))


def pending(w: World, role: str, kind: str, content: bytes, target: str = "") -> str:
    """The role's own upload waiting for confirmation (a refused role gets one too: it must not apply)."""
    from core.models import PendingImport

    user = w.users.get(role) or w.users["center"]
    return str(
        PendingImport.objects.create(
            user=user, kind=kind, filename="导入.xlsx", content=content, target=target
        ).pk
    )


def pending_created(kind: str) -> Callable:
    def check(w: World, changes: Changes, role: str) -> None:
        changes.one_created("core.PendingImport", kind=kind, user_id=w.users[role].pk)

    return check


GRID_CASES = {
    "grids:create": Case(
        ("center", "street"),
        lambda w, role: (
            reverse("grids:create"),
            {
                "code": "9401",
                "name": "新楼栋",
                "level": 4,
                "parent_code": w.a["level3"].code,
                "established_on": "2022-05-01",
            },
        ),
        ("grids.Grid",),
        lambda w, c, role: c.one_created("grids.Grid", code="9401", parent_id=w.a["level3"].pk),
    ),
    "grids:edit": Case(
        ("center", "street"),
        lambda w, role: (
            grid_path(w, "edit"),
            {**form_data(w, "center", grid_path(w, "edit"), "name"), "name": "改名楼栋"},
        ),
        ("grids.Grid",),
        lambda w, c, role: c.one_change("grids.Grid", pk=w.a["level4"][0].pk, name="改名楼栋"),
    ),
    "grids:retire": Case(
        ("center", "street"),
        lambda w, role: (grid_path(w, "retire"), {"retired_on": "2022-06-01"}),
        ("grids.Grid",),
        lambda w, c, role: c.one_change("grids.Grid", pk=w.a["level4"][0].pk, retired_on=dt.date(2022, 6, 1)),
    ),
    "grids:reinstate": Case(
        ("center", "street"),
        lambda w, role: (retired(w), {}),
        ("grids.Grid",),
        lambda w, c, role: c.one_change("grids.Grid", pk=w.a["level4"][0].pk, retired_on=None),
    ),
    "grids:staff_create": Case(
        ("center", "street"),
        lambda w, role: (
            grid_path(w, "staff_create"),
            {"name": "新网格员", "phone": "13900001111", "role": "worker", "started_on": "2022-05-01"},
        ),
        ("grids.GridStaff",),
        lambda w, c, role: c.one_created("grids.GridStaff", name="新网格员", grid_id=w.a["level4"][0].pk),
    ),
    "grids:staff_edit": Case(
        ("center", "street"),
        lambda w, role: (
            staff_path(w, "staff_edit"),
            {**form_data(w, "center", staff_path(w, "staff_edit"), "phone"), "phone": "13900009999"},
        ),
        ("grids.GridStaff",),
        lambda w, c, role: c.one_change("grids.GridStaff", phone="13900009999"),
    ),
    "grids:staff_end": Case(
        ("center", "street"),
        lambda w, role: (staff_path(w, "staff_end"), {"ended_on": "2022-06-30"}),
        ("grids.GridStaff",),
        lambda w, c, role: c.one_change("grids.GridStaff", ended_on=dt.date(2022, 6, 30)),
    ),
    "grids:import": Case(
        ("center",),
        lambda w, role: (reverse("grids:import"), {"file": upload("花名册.xlsx", new_branch_workbook(w))}),
        ("core.PendingImport",),
        pending_created("grids.roster"),
    ),
    "grids:import_preview": Case(
        ("center",),
        lambda w, role: (
            reverse(
                "grids:import_preview",
                kwargs={"token": pending(w, role, "grids.roster", new_branch_workbook(w))},
            ),
            {},
        ),
        ("grids.Grid", "grids.GridStaff"),
        lambda w, c, role: require(
            sorted(g["code"] for g in c.created("grids.Grid")) == ["9001", "9002", "9003"]
            and len(c.created("grids.GridStaff")) == 2,
            f"imported {c.created('grids.Grid')}",
        ),
    ),
}


def retired(w: World) -> str:
    from grids.services import retire_grid

    retire_grid(user=w.users["center"], grid=w.a["level4"][0], retired_on=dt.date(2022, 6, 1))
    return grid_path(w, "reinstate")


def staff_path(w: World, name: str) -> str:
    grid = w.a["level4"][0]
    return grid_path(w, name, grid, staff_pk=grid.staff.first().pk)


# --- assessments


def q2(w: World):
    return w.year.periods.get(quarter=2)


def rate_all(w: World, period):
    """Every level-3/4 grid of both streets rated, so that the quarter may be locked."""
    from assessments.entries import RatingInput
    from assessments.services.ratings import save_ratings

    grids = [grid for key in ("a", "b") for grid in (w.roster[key]["level3"], *w.roster[key]["level4"])]
    save_ratings(
        user=w.users["center"], period=period, entries=[RatingInput(g.pk, "qualified") for g in grids]
    )
    return period


def locked_q2(w: World):
    from assessments.services.periods import lock_period

    return lock_period(user=w.users["center"], period=rate_all(w, q2(w)))


def period_path(w: World, name: str, **kwargs) -> str:
    return reverse(f"assessments:{name}", kwargs={"pk": q2(w).pk, **kwargs})


def community_path(w: World, name: str) -> str:
    return period_path(w, name, community_pk=w.a["community"].pk)


def status_of_q2(status: str) -> Callable:
    def check(w: World, c: Changes, role: str) -> None:
        c.one_change("assessments.AssessmentPeriod", pk=q2(w).pk, status=status)

    return check


def ratings_saved(count: int, rating: str) -> Callable:
    """`count` grids of street a newly rated `rating` in Q2."""

    def check(w: World, c: Changes, role: str) -> None:
        created = c.created("assessments.GridRating")
        require(
            len(created) == count
            and {(r["period_id"], r["rating"]) for r in created} == {(q2(w).pk, rating)},
            f"ratings created: {created}",
        )

    return check


def unrated_a3(w: World) -> dict:
    """street a's level-3 grid is unrated in Q2 (the world rated one level-4 grid): rate it."""
    from tests.assessments.helpers import rating_rows

    return rating_rows({w.a["level3"]: "excellent"})


def fill_basic() -> dict:
    """一键设定 基本合格 from a page whose own rows are left unchosen."""
    from tests.assessments.helpers import rating_rows

    return rating_rows({}, bulk_rating="basic")


def ratings_workbook(w: World) -> bytes:
    from tests.assessments.helpers import workbook

    grids = (w.a["level3"], w.a["level4"][1])  # the two grids of street a still unrated in Q2
    return workbook(["网格编码", "考核等次", "得分", "备注"], [[g.code, "合格", None, None] for g in grids])


def complaints_workbook(w: World) -> bytes:
    from tests.assessments.helpers import workbook
    from tests.assessments.test_hotline import HEADERS

    return workbook(HEADERS, [["C-NEW-1", "2022-05-05 09:30", "a街道", "a社区", "环境", "垃圾", "是"]])


def tickets_workbook(w: World) -> bytes:
    from tests.assessments.helpers import workbook
    from tests.assessments.test_whistle import HEADERS, row

    return workbook(HEADERS, [row("S-NEW-1", w.a["level4"][1])])


def loose_complaint(w: World, **fields):
    """A 12345 ticket C-LOOSE, naming no community unless told: one to match, set aside or restore."""
    from assessments.models import HotlineComplaint

    return HotlineComplaint.objects.create(
        ticket_no="C-LOOSE",
        received_at=dt.datetime(2022, 5, 6, 2, tzinfo=dt.UTC),
        received_on=dt.date(2022, 5, 6),
        **fields,
    )


def complaint_path(w: World, name: str, complaint) -> str:
    return reverse(f"assessments:{name}", kwargs={"pk": getattr(complaint, "pk", complaint)})


def one_complaint_changed(**fields) -> Callable:
    def check(w: World, c: Changes, role: str) -> None:
        c.one_change("assessments.HotlineComplaint", **fields)

    return check


def restorable(w: World) -> str:
    from assessments.services.hotline import invalidate_complaint

    complaint = loose_complaint(w, street_id=w.a["street"].pk, community_id=w.a["community"].pk)
    invalidate_complaint(user=w.users["center"], complaint=complaint, reason="重复工单")
    return complaint_path(w, "complaint_restore", complaint)


def year_2023(w: World):
    """2023 opened in the settings, without its self-evaluation (created apart, as before `open_year`)."""
    from assessments.services.periods import ensure_year

    return ensure_year(year=2023)


def settings_2023(w: World, name: str, **kwargs) -> str:
    year_2023(w)
    return reverse(f"assessments:{name}", kwargs={"year": 2023, **kwargs})


def year_settings_form(w: World) -> dict:
    path = settings_2023(w, "year_settings")
    return {**form_data(w, "center", path, "level3_quota"), "level3_quota": "7"}


def street_quotas_form(w: World) -> dict:
    path = settings_2023(w, "street_quotas", level=3)
    return form_data(w, "center", path, f"street_{w.a['street'].pk}")


ASSESSMENT_CASES = {
    "assessments:period_lock": Case(
        ("center",),
        lambda w, role: (period_path(w, "period_lock", pk=rate_all(w, q2(w)).pk), {}),
        ("assessments.AssessmentPeriod",),
        status_of_q2("locked"),
    ),
    "assessments:period_unlock": Case(
        ("admin",),
        lambda w, role: (
            period_path(w, "period_unlock", pk=locked_q2(w).pk),
            {"reason": "评定有误，重新评定"},
        ),
        ("assessments.AssessmentPeriod",),
        status_of_q2("open"),
    ),
    "assessments:rating_entry": Case(
        ("center", "street"),
        lambda w, role: (community_path(w, "rating_entry"), unrated_a3(w)),
        ("assessments.GridRating",),
        ratings_saved(1, "excellent"),
    ),
    "assessments:rating_fill": Case(
        ("center", "street"),
        lambda w, role: (community_path(w, "rating_fill"), fill_basic()),
        ("assessments.GridRating",),
        ratings_saved(2, "basic"),
    ),
    "assessments:ratings_import": Case(
        ("center", "street", "street_b"),
        lambda w, role: (
            period_path(w, "ratings_import"),
            {"file": upload("评定.xlsx", ratings_workbook(w))},
        ),
        ("core.PendingImport",),
        pending_created("assessments.ratings"),
    ),
    # street_b's own upload of street a's grids is previewed with errors and applies nothing
    "assessments:ratings_import_preview": Case(
        ("center", "street"),
        lambda w, role: (
            period_path(
                w,
                "ratings_import_preview",
                token=pending(w, role, "assessments.ratings", ratings_workbook(w), f"pk={q2(w).pk}"),
            ),
            {},
        ),
        ("assessments.GridRating",),
        ratings_saved(2, "qualified"),
    ),
    "assessments:year_settings": Case(
        ("center", "admin"),
        lambda w, role: (settings_2023(w, "year_settings"), year_settings_form(w)),
        ("assessments.AssessmentYear",),
        lambda w, c, role: c.one_change("assessments.AssessmentYear", year=2023, level3_excellent_quota=7),
    ),
    "assessments:street_quotas": Case(
        ("center", "admin"),
        lambda w, role: (settings_2023(w, "street_quotas", level=3), street_quotas_form(w)),
        ("assessments.StreetQuota",),
        lambda w, c, role: require(
            {q["street_id"] for q in c.created("assessments.StreetQuota")}
            == {w.a["street"].pk, w.b["street"].pk},
            f"quotas: {c.created('assessments.StreetQuota')}",
        ),
    ),
    "assessments:complaint_create": Case(
        ("center",),
        lambda w, role: (
            reverse("assessments:complaint_create"),
            {"ticket_no": "C-NEW-2", "received_at": "2022-05-10T09:00", "community": w.a["community"].pk},
        ),
        ("assessments.HotlineComplaint",),
        lambda w, c, role: c.one_created(
            "assessments.HotlineComplaint", ticket_no="C-NEW-2", community_id=w.a["community"].pk
        ),
    ),
    "assessments:unmatched_assign": Case(
        ("center",),
        lambda w, role: (
            reverse("assessments:unmatched_assign"),
            {"complaints": [loose_complaint(w).pk], "community": w.a["community"].pk},
        ),
        ("assessments.HotlineComplaint",),
        lambda w, c, role: c.one_change(
            "assessments.HotlineComplaint", ticket_no="C-LOOSE", community_id=w.a["community"].pk
        ),
    ),
    "assessments:unmatched_invalidate": Case(
        ("center",),
        lambda w, role: (
            reverse("assessments:unmatched_invalidate"),
            {"complaints": [loose_complaint(w).pk], "reason": "非本区工单"},
        ),
        ("assessments.HotlineComplaint",),
        one_complaint_changed(ticket_no="C-LOOSE", is_valid=False, invalid_reason="非本区工单"),
    ),
    "assessments:complaint_assign": Case(
        ("center",),
        lambda w, role: (
            complaint_path(w, "complaint_assign", loose_complaint(w, street_id=w.a["street"].pk)),
            {"community": w.a["community"].pk},
        ),
        ("assessments.HotlineComplaint",),
        lambda w, c, role: c.one_change("assessments.HotlineComplaint", community_id=w.a["community"].pk),
    ),
    "assessments:complaint_invalidate": Case(
        ("center",),
        lambda w, role: (
            complaint_path(w, "complaint_invalidate", w.kwargs["assessments:complaint"]["pk"]),
            {"reason": "重复工单"},
        ),
        ("assessments.HotlineComplaint",),
        one_complaint_changed(ticket_no="C-A-1", is_valid=False, invalid_reason="重复工单"),
    ),
    "assessments:complaint_restore": Case(
        ("center",),
        lambda w, role: (restorable(w), {}),
        ("assessments.HotlineComplaint",),
        one_complaint_changed(ticket_no="C-LOOSE", is_valid=True, invalid_reason=""),
    ),
    "assessments:complaints_import": Case(
        ("center",),
        lambda w, role: (
            reverse("assessments:complaints_import"),
            {"file": upload("12345.xlsx", complaints_workbook(w))},
        ),
        ("core.PendingImport",),
        pending_created("assessments.complaints"),
    ),
    "assessments:complaints_import_preview": Case(
        ("center",),
        lambda w, role: (
            reverse(
                "assessments:complaints_import_preview",
                kwargs={"token": pending(w, role, "assessments.complaints", complaints_workbook(w))},
            ),
            {},
        ),
        ("assessments.HotlineComplaint",),
        lambda w, c, role: c.one_created(
            "assessments.HotlineComplaint", ticket_no="C-NEW-1", community_id=w.a["community"].pk
        ),
    ),
    "assessments:ticket_create": Case(
        ("center", "street"),
        lambda w, role: (
            reverse("assessments:ticket_create"),
            {
                "number": "S-NEW-2",
                "grid_code": w.a["level4"][1].code,
                "reporter": "李四",
                "collected_at": "2022-05-10T09:00",
                "description": "路灯不亮",
            },
        ),
        ("assessments.WhistleTicket",),
        lambda w, c, role: c.one_created(
            "assessments.WhistleTicket", number="S-NEW-2", street_id=w.a["street"].pk
        ),
    ),
    "assessments:tickets_import": Case(
        ("center", "street", "street_b"),
        lambda w, role: (
            reverse("assessments:tickets_import"),
            {"file": upload("哨单.xlsx", tickets_workbook(w))},
        ),
        ("core.PendingImport",),
        pending_created("assessments.tickets"),
    ),
    "assessments:tickets_import_preview": Case(
        ("center", "street"),
        lambda w, role: (
            reverse(
                "assessments:tickets_import_preview",
                kwargs={"token": pending(w, role, "assessments.tickets", tickets_workbook(w))},
            ),
            {},
        ),
        ("assessments.WhistleTicket",),
        lambda w, c, role: c.one_created(
            "assessments.WhistleTicket", number="S-NEW-1", street_id=w.a["street"].pk
        ),
    ),
    "assessments:ticket_advance": Case(
        ("center", "street"),
        lambda w, role: (
            reverse("assessments:ticket_advance", kwargs=w.kwargs["assessments:ticket"]),
            {"at": "2022-05-05T10:00", "department": "城管局"},
        ),
        ("assessments.WhistleTicket",),
        lambda w, c, role: require(
            [
                (old["status"] != new["status"], new["number"])
                for old, new in c.changed("assessments.WhistleTicket")
            ]
            == [(True, "S-A-1")],
            f"tickets changed: {c.changed('assessments.WhistleTicket')}",
        ),
    ),
}


# --- disbursements


def draft_pk(w: World) -> int:
    return w.kwargs["disbursements"]["pk"]


def batch_path(w: World, name: str, pk: int | None = None, **kwargs) -> str:
    return reverse(f"disbursements:{name}", kwargs={"pk": pk or draft_pk(w), **kwargs})


def carried(w: World, until: str) -> None:
    """The world's draft special batch carried to `until` (submitted or approved)."""
    from disbursements.models import DisbursementBatch
    from disbursements.services.workflow import apply_transition

    batch = DisbursementBatch.objects.get(pk=draft_pk(w))
    apply_transition(batch=batch, action="submit", user=w.users["center"])
    if until == "approved":
        apply_transition(batch=batch, action="approve", user=w.users["finance"])


def moved(action: str, status: str, until: str | None = None, **data) -> Case:
    """A transition of the world's special batch, from the status `until` leaves it in (draft when None)."""
    allowed = ("center",) if action in ("submit", "cancel") else ("finance",)

    def send(w: World, role: str):
        if until:
            carried(w, until)
        return batch_path(w, "transition", action=action), data

    def happened(w: World, c: Changes, role: str) -> None:
        c.one_change("disbursements.DisbursementBatch", pk=draft_pk(w), status=status)
        c.one_created(
            "disbursements.BatchTransition", action=action, to_status=status, user_id=w.users[role].pk
        )

    return Case(
        allowed,
        send,
        ("disbursements.DisbursementBatch", "disbursements.BatchTransition"),
        happened,
        f" {action}",
        matrix_object=action == "submit",  # the matrix's row is the draft's 提交审核
    )


def relocked_q1(w: World) -> dict:
    """Q1, paid, reopened and relocked with one rating changed: a correction is due."""
    from assessments.entries import RatingInput
    from assessments.services.periods import lock_period, unlock_period
    from assessments.services.ratings import save_ratings

    q1 = w.year.periods.get(quarter=1)
    unlock_period(user=w.users["admin"], period=q1, reason="街道复核：考核结果更正")
    save_ratings(user=w.users["center"], period=q1, entries=[RatingInput(w.a["level4"][1].pk, "qualified")])
    lock_period(user=w.users["center"], period=q1)
    return {"period": q1.pk}


def batch_created(kind: str) -> Callable:
    def check(w: World, c: Changes, role: str) -> None:
        c.one_created("disbursements.DisbursementBatch", kind=kind, created_by_id=w.users[role].pk)

    return check


def special_lines_workbook(w: World) -> bytes:
    from tests.assessments.helpers import workbook
    from tests.disbursements.test_importers import HEADERS

    return workbook(HEADERS, [["a街道", "a社区", "阵地建设", 1000, None]])


def paid_special(w: World, *, confirmed: bool) -> int:
    """A special batch paying street a's community 500 元, paid, and its receipt confirmed if asked."""
    from disbursements.services.receipts import confirm_receipt
    from tests.disbursements.receipt_helpers import pay_special

    batch = pay_special(w.users, "到账测试", [(w.a["community"], "500.00")])
    if confirmed:
        confirm_receipt(
            user=w.users["street"],
            batch=batch,
            street=w.a["street"],
            received_on=dt.date(2022, 4, 25),
            voucher_no="回-9",
        )
    return batch.pk


def receipt_path(w: World, name: str, pk: int | None = None) -> str:
    return reverse(
        f"disbursements:{name}",
        kwargs={"pk": pk or w.kwargs["disbursements:receipt"]["pk"], "street_pk": w.a["street"].pk},
    )


def receipt_stored(w: World, c: Changes, role: str) -> None:
    from disbursements.models import StreetReceipt

    created = c.one_created(
        "disbursements.StreetReceipt", voucher_no="回-10", received_on=dt.date(2022, 4, 26)
    )
    scan = StreetReceipt.objects.get(pk=created["pk"]).scan
    require(scan and scan.storage.exists(scan.name), f"no scan stored: {created}")


SCAN = b"%PDF-1.4\n%%EOF\n"

DISBURSEMENT_CASES = {
    "disbursements:budget_sources": Case(
        ("center",),
        lambda w, role: (
            reverse("disbursements:budget_sources", kwargs={"year": 2022}),
            {"carryover": "1000.00", "other_funds": "200.00"},
        ),
        ("disbursements.Budget",),
        lambda w, c, role: c.one_change(
            "disbursements.Budget", year=2022, carryover=Decimal("1000.00"), other_funds=Decimal("200.00")
        ),
    ),
    "disbursements:budget_adjust": Case(
        ("center",),
        lambda w, role: (
            reverse("disbursements:budget_adjust", kwargs={"year": 2022}),
            {
                "amount": "5000.00",
                "adjusted_on": "2022-06-01",
                "document_no": "望财〔2022〕9号",
                "reason": "追加",
            },
        ),
        ("disbursements.BudgetAdjustment",),
        lambda w, c, role: c.one_created(
            "disbursements.BudgetAdjustment", amount=Decimal("5000.00"), document_no="望财〔2022〕9号"
        ),
    ),
    "disbursements:generate": Case(
        ("center",),
        lambda w, role: (reverse("disbursements:generate"), {"period": locked_q2(w).pk}),
        ("disbursements.DisbursementBatch",),
        batch_created("quarterly"),
    ),
    "disbursements:correct": Case(
        ("center",),
        lambda w, role: (reverse("disbursements:correct"), relocked_q1(w)),
        ("disbursements.DisbursementBatch",),
        batch_created("correction"),
    ),
    "disbursements:special_create": Case(
        ("center",),
        lambda w, role: (reverse("disbursements:special_create"), {"year": 2022, "title": "阵地建设经费"}),
        ("disbursements.DisbursementBatch",),
        lambda w, c, role: c.one_created(
            "disbursements.DisbursementBatch", kind="special", title="阵地建设经费"
        ),
    ),
    "disbursements:transition": (
        moved("submit", "submitted"),
        moved("approve", "approved", until="submitted"),
        moved("reject", "rejected", until="submitted", comment="金额有误"),
        moved("pay", "paid", until="approved", paid_on=str(dt.date.today()), voucher_no="记-7"),
        moved("cancel", "cancelled", comment="不再拨付"),
    ),
    "disbursements:line_add": Case(
        ("center",),
        lambda w, role: (
            batch_path(w, "line_add"),
            {"payee": w.a["community"].pk, "purpose": "阵地建设", "amount": "300.00"},
        ),
        ("disbursements.BatchLine",),
        lambda w, c, role: c.one_created(
            "disbursements.BatchLine", batch_id=draft_pk(w), amount=Decimal("300.00")
        ),
    ),
    "disbursements:line_delete": Case(
        ("center",),
        lambda w, role: (batch_path(w, "line_delete", line_pk=w.kwargs["disbursements"]["line_pk"]), {}),
        ("disbursements.BatchLine",),
        lambda w, c, role: require(
            [row["pk"] for row in c.deleted("disbursements.BatchLine")]
            == [w.kwargs["disbursements"]["line_pk"]],
            f"lines deleted: {c.deleted('disbursements.BatchLine')}",
        ),
    ),
    "disbursements:lines_import": Case(
        ("center",),
        lambda w, role: (
            batch_path(w, "lines_import"),
            {"file": upload("明细.xlsx", special_lines_workbook(w))},
        ),
        ("core.PendingImport",),
        pending_created("disbursements.special"),
    ),
    "disbursements:lines_import_preview": Case(
        ("center",),
        lambda w, role: (
            batch_path(
                w,
                "lines_import_preview",
                token=pending(
                    w, role, "disbursements.special", special_lines_workbook(w), f"pk={draft_pk(w)}"
                ),
            ),
            {},
        ),
        ("disbursements.BatchLine",),
        lambda w, c, role: c.one_created(
            "disbursements.BatchLine", batch_id=draft_pk(w), amount=Decimal("1000.00")
        ),
    ),
    "disbursements:receipt_confirm": Case(
        ("street",),
        lambda w, role: (
            receipt_path(w, "receipt_confirm", paid_special(w, confirmed=False)),
            {"received_on": "2022-04-26", "voucher_no": "回-10", "scan": upload("回执.pdf", SCAN)},
        ),
        ("disbursements.StreetReceipt",),
        receipt_stored,
    ),
    "disbursements:receipt_pass_on": Case(
        ("street",),
        lambda w, role: (
            receipt_path(w, "receipt_pass_on", paid_special(w, confirmed=True)),
            {
                "passed_on": "2022-04-28",
                "voucher_no": "下-9",
                f"include_{w.a['community'].pk}": "on",
                f"amount_{w.a['community'].pk}": "500.00",
            },
        ),
        ("disbursements.PassOn",),
        lambda w, c, role: c.one_created(
            "disbursements.PassOn",
            community_id=w.a["community"].pk,
            amount=Decimal("500.00"),
            voucher_no="下-9",
        ),
    ),
    "disbursements:receipt_correct": Case(
        ("street",),
        lambda w, role: (
            receipt_path(w, "receipt_correct"),
            {
                "community": w.a["community"].pk,
                "amount": "-10.00",
                "passed_on": "2022-05-02",
                "voucher_no": "下-2",
                "reason": "多发追回",
            },
        ),
        ("disbursements.PassOn",),
        lambda w, c, role: c.one_created(
            "disbursements.PassOn",
            community_id=w.a["community"].pk,
            amount=Decimal("-10.00"),
            voucher_no="下-2",
        ),
    ),
    "disbursements:receipt_fix": Case(
        ("street",),
        lambda w, role: (
            receipt_path(w, "receipt_fix"),
            {"fix-received_on": "2022-04-26", "fix-voucher_no": "回-2", "fix-reason": "凭证号录错"},
        ),
        ("disbursements.StreetReceipt",),
        lambda w, c, role: c.one_change(
            "disbursements.StreetReceipt", voucher_no="回-2", received_on=dt.date(2022, 4, 26)
        ),
    ),
}


# --- reports


def evaluation_path(w: World, name: str, year: int = 2022, **kwargs) -> str:
    return reverse(f"reports:{name}", kwargs={"year": year, **kwargs})


def evaluation_status(status: str) -> Callable:
    def check(w: World, c: Changes, role: str) -> None:
        c.one_change("reports.SelfEvaluation", year=2022, status=status)

    return check


def finalisable(w: World) -> str:
    """The world's draft special batch cancelled: a year with a batch still open cannot be finalised."""
    from disbursements.models import DisbursementBatch
    from disbursements.services.workflow import apply_transition

    batch = DisbursementBatch.objects.get(pk=draft_pk(w))
    apply_transition(batch=batch, action="cancel", user=w.users["center"], comment="不再拨付")
    return evaluation_path(w, "finalise_evaluation")


def finalised(w: World) -> str:
    from reports.models import SelfEvaluation
    from reports.services import finalise_evaluation

    finalisable(w)
    finalise_evaluation(user=w.users["center"], evaluation=SelfEvaluation.objects.get(year=2022))
    return evaluation_path(w, "reopen_evaluation")


def indicator_path(w: World) -> str:
    return evaluation_path(w, "edit_indicator", pk=w.kwargs["reports"]["pk"])


REPORT_CASES = {
    "reports:open_year": Case(
        ("center", "admin"),
        lambda w, role: (
            reverse("reports:open_year"),
            {
                "year": 2023,
                "budget_amount": "4200000.00",
                "fund_name": "网格化管理经费",
                "basis": "望社治〔2023〕5号",
            },
        ),
        ("reports.SelfEvaluation", "disbursements.Budget", "assessments.AssessmentYear"),
        lambda w, c, role: (
            c.one_created("reports.SelfEvaluation", year=2023),
            c.one_created("disbursements.Budget", year=2023, amount=Decimal("4200000.00")),
            c.one_created("assessments.AssessmentYear", year=2023),
        ),
    ),
    "reports:create_evaluation": Case(
        ("center", "admin"),
        lambda w, role: (evaluation_path(w, "create_evaluation", year_2023(w).year), {}),
        ("reports.SelfEvaluation",),
        lambda w, c, role: c.one_created("reports.SelfEvaluation", year=2023),
    ),
    "reports:finalise_evaluation": Case(
        ("center", "leader"),
        lambda w, role: (finalisable(w), {}),
        ("reports.SelfEvaluation", "reports.EvaluationSignOff"),
        lambda w, c, role: (
            evaluation_status("final")(w, c, role),
            c.one_created("reports.EvaluationSignOff", finalised_by_id=w.users[role].pk),
        ),
    ),
    "reports:reopen_evaluation": Case(
        ("admin",),
        lambda w, role: (finalised(w), {"reason": "数据更正"}),
        ("reports.SelfEvaluation",),
        evaluation_status("draft"),
    ),
    "reports:edit_evaluation": Case(
        ("center", "admin"),
        lambda w, role: (
            evaluation_path(w, "edit_evaluation"),
            {
                **form_data(w, "center", evaluation_path(w, "edit_evaluation"), "department"),
                "department": "区社会治理中心",
            },
        ),
        ("reports.SelfEvaluation",),
        lambda w, c, role: c.one_change("reports.SelfEvaluation", year=2022, department="区社会治理中心"),
    ),
    "reports:edit_indicator": Case(
        ("center", "admin"),
        lambda w, role: (
            indicator_path(w),
            {**form_data(w, "center", indicator_path(w), "justification"), "justification": "按台账核实"},
        ),
        ("reports.Indicator",),
        lambda w, c, role: c.one_change(
            "reports.Indicator", pk=w.kwargs["reports"]["pk"], justification="按台账核实"
        ),
    ),
}


# --- login, logout and the django admin (budget, assessment year and users are edited there)


def admin_form(w: World, path: str, must_have: str, **changes) -> dict:
    """The admin form as the system admin sees it, with some fields changed."""
    return {**form_data(w, "admin", path, must_have), **changes}


def user_path(w: World, name: str) -> str:
    return reverse(f"admin:{name}", args=[w.users["center"].pk])


def budget_change_path(w: World) -> str:
    from disbursements.models import Budget

    return reverse("admin:disbursements_budget_change", args=[Budget.objects.get(year=2022).pk])


def logged_in(w: World, c: Changes, role: str) -> None:
    """The user whose credentials were sent (the admin's, when anonymous) has logged in."""
    user = w.users["admin" if role == "anon" else role]
    changed = c.changed("core.User")
    require(
        [(new["pk"], new["last_login"] != old["last_login"]) for old, new in changed] == [(user.pk, True)],
        f"users changed: {changed}",
    )


def session_ended(w: World, c: Changes, role: str) -> None:
    require(len(c.deleted("sessions.Session")) == 1, "the session is kept")


def year_change_path(w: World) -> str:
    return reverse("admin:assessments_assessmentyear_change", args=[year_2023(w).pk])


def locked_out(w: World) -> int:
    """The world's access attempt: a login locked out after five failures."""
    from axes.models import AccessAttempt

    return AccessAttempt.objects.get(username="someone").pk


def password_changed(w: World, c: Changes, role: str) -> None:
    changed = c.changed("core.User")
    require(
        [(old["pk"], old["password"] != new["password"]) for old, new in changed]
        == [(w.users[role].pk, True)],
        f"users changed: {changed}",
    )


NEW_PASSWORD = "另一个-Passw0rd-2022"

LOGGED_IN = ("center", "street", "street_b", "finance", "leader", "admin", "nobody")

ACCOUNT_CASES = {
    # anonymous logs in with the center's credentials; a logged-in role is sent on and nothing changes
    "login": Case(
        ("anon",),
        lambda w, role: (reverse("login"), {"username": w.users["center"].username, "password": PASSWORD}),
        ("core.User",),
        lambda w, c, role: logged_in(w, c, "center"),
    ),
    "password_change": Case(
        LOGGED_IN,
        lambda w, role: (
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        ),
        ("core.User",),
        password_changed,
    ),
    # logging out ends the session (its row is gone) and answers with the login page
    "logout": Case(
        LOGGED_IN,
        lambda w, role: (reverse("logout"), {}),
        ("sessions.Session",),
        session_ended,
        answers=("L",),
    ),
    # each role sends its own credentials (anonymous the admin's): only a staff account gets in
    "admin:login": Case(
        ("anon", "admin"),
        lambda w, role: (
            reverse("admin:login"),
            {"username": w.users["admin" if role == "anon" else role].username, "password": PASSWORD},
        ),
        ("core.User",),
        logged_in,
    ),
    "admin:logout": Case(
        ("admin",),
        lambda w, role: (reverse("admin:logout"), {}),
        ("sessions.Session",),
        session_ended,
        answers=("L", "200"),
    ),
    "admin:password_change": Case(
        ("admin",),
        lambda w, role: (
            reverse("admin:password_change"),
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        ),
        ("core.User",),
        password_changed,
    ),
    "admin:auth_user_password_change": Case(
        ("admin",),
        lambda w, role: (
            user_path(w, "auth_user_password_change"),
            admin_form(
                w,
                user_path(w, "auth_user_password_change"),
                "password1",
                password1=NEW_PASSWORD,
                password2=NEW_PASSWORD,
            ),
        ),
        ("core.User",),
        lambda w, c, role: password_changed(w, c, "center"),
    ),
    "admin:core_user_add": Case(
        ("admin",),
        lambda w, role: (
            reverse("admin:core_user_add"),
            admin_form(
                w,
                reverse("admin:core_user_add"),
                "username",
                username="newcomer",
                password1=NEW_PASSWORD,
                password2=NEW_PASSWORD,
            ),
        ),
        ("core.User",),
        lambda w, c, role: c.one_created("core.User", username="newcomer"),
    ),
    "admin:core_user_change": Case(
        ("admin",),
        lambda w, role: (
            user_path(w, "core_user_change"),
            admin_form(w, user_path(w, "core_user_change"), "name", name="改名的用户"),
        ),
        ("core.User",),
        lambda w, c, role: c.one_change("core.User", pk=w.users["center"].pk, name="改名的用户"),
    ),
    "admin:disbursements_budget_add": Case(
        ("admin",),
        lambda w, role: (
            reverse("admin:disbursements_budget_add"),
            admin_form(
                w, reverse("admin:disbursements_budget_add"), "year", year="2024", amount="3000000.00"
            ),
        ),
        ("disbursements.Budget",),
        lambda w, c, role: c.one_created("disbursements.Budget", year=2024, amount=Decimal("3000000.00")),
    ),
    "admin:disbursements_budget_change": Case(
        ("admin",),
        lambda w, role: (
            budget_change_path(w),
            admin_form(w, budget_change_path(w), "basis", basis="望社治〔2022〕1号"),
        ),
        ("disbursements.Budget",),
        lambda w, c, role: c.one_change("disbursements.Budget", year=2022, basis="望社治〔2022〕1号"),
    ),
    "admin:assessments_assessmentyear_add": Case(
        ("admin",),
        lambda w, role: (
            reverse("admin:assessments_assessmentyear_add"),
            admin_form(w, reverse("admin:assessments_assessmentyear_add"), "year", year="2024"),
        ),
        ("assessments.AssessmentYear",),
        lambda w, c, role: c.one_created("assessments.AssessmentYear", year=2024),
    ),
    # the matrix's year has a locked quarter (read-only, 403 to everyone); 2023 has none yet
    "admin:assessments_assessmentyear_change": Case(
        ("admin",),
        lambda w, role: (
            year_change_path(w),
            admin_form(w, year_change_path(w), "level3_excellent_quota", level3_excellent_quota="9"),
        ),
        ("assessments.AssessmentYear",),
        lambda w, c, role: c.one_change("assessments.AssessmentYear", year=2023, level3_excellent_quota=9),
        matrix_object=False,
    ),
    # unlocking a locked-out login: the admin deletes the axes access attempt
    "admin:axes_accessattempt_delete": Case(
        ("admin",),
        lambda w, role: (
            reverse("admin:axes_accessattempt_delete", args=[locked_out(w)]),
            {"post": "yes"},
        ),
        ("axes.AccessAttempt",),
        lambda w, c, role: require(len(c.deleted("axes.AccessAttempt")) == 1, "the attempt is kept"),
    ),
}


# ---------------------------------------------------------------------------------------------------
# The table and the tests

CASES: dict[str, Case | tuple[Case, ...]] = {
    **ACCOUNT_CASES,
    **GRID_CASES,
    **ASSESSMENT_CASES,
    **DISBURSEMENT_CASES,
    **REPORT_CASES,
}


# Pages that answer a POST without acting on it: sent form-like data by every role, they change nothing.
def failed_job(w: World) -> str:
    """A roster export of center staff that failed, to be started again."""
    from core.models import Job

    job = Job.objects.create(
        user=w.users["center"],
        kind="grids.roster_export",
        dedupe_key="restart",
        title="导出网格花名册",
        status=Job.Status.FAILED,
        message="后台处理中断",
    )
    return reverse("job_restart", kwargs={"pk": job.pk})


JOB_CASES = {
    # a job is its owner's: only center staff (who started it) may start their failed job again
    "job_restart": Case(
        ("center",),
        lambda w, role: (failed_job(w), {}),
        ("core.Job",),
        lambda w, c, role: require(
            [(j["kind"], j["status"], j["dedupe_key"]) for j in c.created("core.Job")]
            == [("grids.roster_export", "done", "restart")],
            f"restarted {c.created('core.Job')}",
        ),
        matrix_object=False,
    ),
    # everyone who reads the roster exports it (their own scope), as a job of their own
    "grids:export_job": Case(
        ("center", "street", "street_b", "finance", "leader", "admin"),
        lambda w, role: (reverse("grids:export_job"), {"q": ""}),
        ("core.Job",),
        lambda w, c, role: require(
            [(j["kind"], j["status"], j["user_id"]) for j in c.created("core.Job")]
            == [("grids.roster_export", "done", w.users[role].pk)],
            f"export {c.created('core.Job')}",
        ),
    ),
    # the district's annual PDF, made in the background for those who read it
    "reports:self_evaluation_pdf_job": Case(
        ("center", "finance", "leader", "admin"),
        lambda w, role: (reverse("reports:self_evaluation_pdf_job", kwargs={"year": 2022}), {}),
        ("core.Job",),
        lambda w, c, role: require(
            [(j["kind"], j["status"]) for j in c.created("core.Job")]
            == [("reports.self_evaluation_pdf", "done")],
            f"pdf {c.created('core.Job')}",
        ),
    ),
}


def download_case(key: str, kind: str, allowed: tuple[str, ...]) -> Case:
    """A large export's button: a job of the asker's own making the file (core.downloads)."""
    routes = dict(url_patterns())
    return Case(
        allowed,
        lambda w, role: (path_for(key, routes[key], w.kwargs), {}),
        ("core.Job",),
        lambda w, c, role: require(
            [(j["kind"], j["status"], j["user_id"]) for j in c.created("core.Job")]
            == [(kind, "done", w.users[role].pk)],
            f"{key} {c.created('core.Job')}",
        ),
    )


READERS = ("center", "street", "street_b", "finance", "leader", "admin")
JOB_CASES.update(
    {
        "assessments:zero_complaint_export": download_case(
            "assessments:zero_complaint_export", "assessments.zero_complaint_export", READERS
        ),
        "assessments:ratings_export": download_case(
            "assessments:ratings_export", "assessments.ratings_export", READERS
        ),
        "assessments:tickets_export": download_case(
            "assessments:tickets_export", "assessments.tickets_export", READERS
        ),
        # a street admin of another street has no line in street a's batch: 404
        "disbursements:export": download_case(
            "disbursements:export",
            "disbursements.batch_export",
            ("center", "street", "finance", "leader", "admin"),
        ),
    }
)
CASES.update(JOB_CASES)


UNCHANGED = {
    "home",
    "favicon.ico",
    # background jobs: a user's list, a job's page and its file
    "jobs",
    "job",
    "job_file",
    # grids
    "grids:overview",
    "grids:tree",
    "grids:detail",
    "grids:export",
    "grids:import_template",
    # assessments
    "assessments:periods",
    "assessments:period_detail",
    "assessments:zero_complaint",
    "assessments:ratings",
    "assessments:rating_history",
    "assessments:complaint_detail",
    "assessments:ticket_detail",
    "assessments:ticket_statistics",
    # disbursements
    "disbursements:budget",
    "disbursements:budget_detail",
    "disbursements:batch_detail",
    "disbursements:notice",
    "disbursements:notice_workbook",
    "disbursements:queue",
    "disbursements:receipts",
    "disbursements:receipt",
    "disbursements:receipt_ledger",
    "disbursements:receipt_scan",
    # reports
    "reports:dashboard",
    "reports:bulletin_latest",
    "reports:bulletin",
    "reports:bulletin_xlsx",
    "reports:bulletin_pdf",
    "reports:evaluations",
    "reports:self_evaluation",
    "reports:self_evaluation_pdf",
    "reports:self_evaluation_xlsx",
    # the API answers tokens only: a session's POST, any role's, is refused 401 (its writes: tests/assessments/test_api_*)
    "api:hotline_tickets",
    "api:token_rotate",
    "api:whistle_tickets",
    "api:periods",
    "api:zero_complaint",
    "api:ratings",
    "api:batches",
    "api:batch_streets",
    "api:batch_communities",
    "api:evaluation",
    "api:grids",
    "^api/",
    # the admin's index, change lists, history pages and redirects (no action is sent to a change list)
    "admin:index",
    "admin/^(?P<app_label>auth|axes|core|grids|assessments|disbursements)/$",
    *(
        f"admin:{model}_{page}"
        for model in (
            "auth_group",
            "axes_accessattempt",
            "axes_accessfailurelog",
            "axes_accesslog",
            "core_user",
            "core_apiclient",
            "core_apicall",
            "grids_grid",
            "grids_gridstaff",
            "assessments_assessmentyear",
            "disbursements_budget",
            "disbursements_disbursementbatch",
            "disbursements_streetreceipt",
            "disbursements_passon",
        )
        for page in ("changelist", "history")
    ),
    "admin/assessments/assessmentyear/^([^/]+)/history/([^/]+)/$",
    "admin/disbursements/budget/^([^/]+)/history/([^/]+)/$",
    "admin:view_on_site",
    "admin/(?P<url>.*)$",
    # an API client is registered with its scopes (tests/core/test_api_clients.py): a form-like POST without
    # them registers nothing; calls are a read-only log; neither is ever deleted
    "admin:core_apiclient_add",
    "admin:core_apiclient_change",
    "admin:core_apiclient_delete",
    "admin:core_apicall_add",
    "admin:core_apicall_change",
    "admin:core_apicall_delete",
    "admin/core/apiclient/<path:object_id>/",
    "admin/core/apicall/<path:object_id>/",
    # what the admin refuses to everyone (403): the read-only models' forms, every delete, groups
    "admin:assessments_assessmentyear_delete",
    "admin:core_user_delete",
    "admin:disbursements_budget_delete",
    *(
        f"admin:{model}_{page}"
        for model in (
            "auth_group",
            "axes_accessattempt",
            "axes_accessfailurelog",
            "axes_accesslog",
            "grids_grid",
            "grids_gridstaff",
            "disbursements_disbursementbatch",
            "disbursements_streetreceipt",
            "disbursements_passon",
        )
        for page in ("add", "change", "delete")
        if (model, page) != ("axes_accessattempt", "delete")
    ),
    *(
        f"admin/{model}/<path:object_id>/"
        for model in (
            "auth/group",
            "axes/accessattempt",
            "axes/accessfailurelog",
            "axes/accesslog",
            "core/user",
            "grids/grid",
            "grids/gridstaff",
            "assessments/assessmentyear",
            "disbursements/budget",
            "disbursements/disbursementbatch",
            "disbursements/streetreceipt",
            "disbursements/passon",
        )
    ),
}

# What a form might send: names the project's forms use, none of them an admin action.
FORM_LIKE = {"name": "改名", "reason": "理由", "comment": "说明", "amount": "1.00", "q": "a"}


def post_routes() -> set[str]:
    """The matrix rows whose POST column gets some role past the login and the method check."""
    return {key for key, row in MATRIX.items() if set(row.split("|")[1].split()) - {"L", "A", "405"}}


def cases_of(key: str) -> tuple[Case, ...]:
    found = CASES[key]
    return found if isinstance(found, tuple) else (found,)


@pytest.fixture
def w(users, roster, year, locked_q1) -> World:
    return World(users, roster, year, build_world(users, roster, year, locked_q1))


def test_every_post_route_has_cases(db):
    routes = post_routes()
    missing = sorted(routes - set(CASES) - UNCHANGED)
    assert not missing, f"POST routes with no case in CASES (nor in UNCHANGED): {missing}"
    # logging out answers everyone with the login page (L in the matrix): that redirect is its success
    stale = sorted((set(CASES) | UNCHANGED) - routes - {"logout"})
    assert not stale, f"entries for routes the matrix does not let anyone POST to: {stale}"
    assert not set(CASES) & UNCHANGED
    # a role allowed here is let through by the matrix's empty POST too
    for key in CASES:
        post = dict(zip(ROLES, MATRIX[key].split("|")[1].split(), strict=True))
        for case in cases_of(key):
            assert case.allowed, key
            if not case.matrix_object:
                continue
            # (an empty POST may name no object: 404 to the center for a batch generated from no quarter)
            let_through = [post.get(role, "R") for role in case.allowed]  # "nobody" has no column
            assert all(got in case.answers or got not in {"L", "A", "403", "405"} for got in let_through), key


@pytest.mark.slow
def test_a_valid_post_changes_what_an_allowed_role_asks_and_nothing_for_the_others(w):
    problems = [
        problem
        for key in CASES
        for case in cases_of(key)
        for role in EVERYONE
        if (problem := attempt(w, key, case, role))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_a_post_to_a_page_that_does_not_act_changes_nothing(w):
    routes = dict(url_patterns())
    problems = [
        problem
        for key in sorted(UNCHANGED)
        for role in EVERYONE
        if (
            problem := attempt(
                w,
                key,
                Case(
                    (), lambda w, role, key=key: (path_for(key, routes[key], w.kwargs), FORM_LIKE), (), None
                ),
                role,
            )
        )
    ]
    assert not problems, "\n".join(problems)
