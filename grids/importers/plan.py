"""What a roster import would do, whichever layout the workbook has: the preview shows it, the service applies it."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.formats import date_text
from core.xlsx import RowError
from grids.models import CommunityKind, GridLevel, GridStaff

CHANGE_LABELS = {
    "name": _("网格名称"),
    "parent_code": _("上级网格编码"),
    "kind": _("村（社区）类型"),
    "established_on": _("设立日期"),
    "retired_on": _("撤销日期"),
    "phone": _("联系电话"),
    "active": _("在岗"),
}


def _shown(value) -> str:
    if value is None or value == "":
        return str(_("（空）"))
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if value in CommunityKind.values:
        return str(CommunityKind(value).label)
    return date_text(value) if hasattr(value, "isoformat") else str(value)


class ShownChanges:
    """A row's changes ({field: (before, after)}) as the preview shows them, in the user's words."""

    changes: dict

    @property
    def shown_changes(self) -> list[tuple[str, str, str]]:
        return [
            (str(CHANGE_LABELS.get(k, k)), _shown(old), _shown(new)) for k, (old, new) in self.changes.items()
        ]


@dataclass
class GridRow(ShownChanges):
    row: int
    code: str
    name: str
    level: int
    parent_code: str
    kind: str
    retired_on: object
    established_on: object = None  # None: as on the roster (an existing grid) or today (a new one)
    names: tuple[str, str, str] = ("", "", "")  # 街镇, 村（社区）, 三级网格 names, when given
    changes: dict = field(default_factory=dict)
    parent_label: str = ""  # the parent as its path of names, when the file named it so

    @property
    def level_label(self) -> str:
        return str(GridLevel(self.level).label)


@dataclass
class StaffRow(ShownChanges):
    row: int
    grid_code: str
    name: str
    role: str
    phone: str
    active: bool
    existing_id: int | None = None
    changes: dict = field(default_factory=dict)
    grid_label: str = ""  # the grid as its path of names, when the file named it so


@dataclass
class RosterPlan:
    errors: list[RowError] = field(default_factory=list)
    grid_creates: list[GridRow] = field(default_factory=list)
    grid_updates: list[GridRow] = field(default_factory=list)
    grid_unchanged: int = 0
    staff_creates: list[StaffRow] = field(default_factory=list)
    staff_updates: list[StaffRow] = field(default_factory=list)
    staff_unchanged: int = 0
    notes: list[str] = field(default_factory=list)  # what the preview says about the file itself

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.grid_creates or self.grid_updates or self.staff_creates or self.staff_updates)

    @property
    def staff_changes(self) -> list[StaffRow]:
        """New and updated staff in one list, in the order of the file's rows, as the preview lists them."""
        return sorted([*self.staff_creates, *self.staff_updates], key=lambda person: person.row)

    def add_staff(self, person: StaffRow, existing: tuple[int, str, bool] | None) -> None:
        """File a person as new, or as an update or unchanged against the roster's (pk, phone, serving today).

        A person who is not serving is the latest post of that grid, name and role that has ended."""
        if existing is None:
            self.staff_creates.append(person)
            return
        person.existing_id, old_phone, old_active = existing
        person.changes = {
            key: change
            for key, change in {
                "phone": (old_phone, person.phone),
                "active": (old_active, person.active),
            }.items()
            if change[0] != change[1]
        }
        if person.changes:
            self.staff_updates.append(person)
        else:
            self.staff_unchanged += 1


def staff_on_roster(grid_key: str) -> dict[tuple, tuple[int, str, bool]]:
    """(grid by grid_key, name, role) → (pk, phone, in post) of each person's post on the roster.

    In post: not ended by today (a post starting later counts, so it is not started twice). Of a
    person's several posts on one grid in one role, the one in post wins, else the latest.
    """
    today = timezone.localdate()
    posts: dict[tuple, tuple[int, str, bool]] = {}
    rows = GridStaff.objects.order_by("started_on", "pk").values_list(
        "pk", grid_key, "name", "role", "phone", "ended_on"
    )
    for pk, grid, name, role, phone, ended_on in rows:
        key = (grid, name, role)
        in_post = ended_on is None or ended_on > today
        if in_post or not posts.get(key, (0, "", False))[2]:
            posts[key] = (pk, phone, in_post)
    return posts
