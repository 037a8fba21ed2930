"""Menu entries registered by each app and filtered by the current user's capabilities."""

import functools
from dataclasses import dataclass, field

from django.urls import get_script_prefix, get_urlconf, reverse

from core import access
from core.roles import Role

__all__ = ["Item", "Role", "menu_for", "register"]


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    perm: str | None = None
    roles: tuple[Role, ...] = ()
    district: bool = False  # a page of the district's own, not for a street admin (core.access policy)

    def visible_to(self, user) -> bool:
        if self.roles and not access.has_role(user, *self.roles) and not user.is_superuser:
            return False
        if self.district and not access.is_district(user):
            return False
        return self.perm is None or access.can(user, self.perm)


@dataclass
class Section:
    label: str
    order: int
    items: list[Item] = field(default_factory=list)


_sections: dict[str, Section] = {}


def register(label, items: list[Item], order: int = 50) -> None:
    section = _sections.setdefault(str(label), Section(label=label, order=order))
    section.items.extend(items)


def menu_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    menu = []
    for section in sorted(_sections.values(), key=lambda s: s.order):
        entries = [
            {
                "label": item.label,
                "url": _url(item.url_name, get_script_prefix(), get_urlconf()),
                "url_name": item.url_name,
            }
            for item in section.items
            if item.visible_to(user)
        ]
        if entries:
            menu.append({"label": section.label, "items": entries})
    return menu


@functools.lru_cache(maxsize=256)
def _url(url_name: str, prefix: str, urlconf) -> str:
    """A menu entry's address, reversed once per URLconf and script prefix (every page shows the menu)."""
    return reverse(url_name, urlconf=urlconf)
