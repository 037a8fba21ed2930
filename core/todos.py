"""The home page's to-do list: what each user should do next, with counts and links.

Apps register providers at start-up (AppConfig.ready). Each takes the user and returns the items that
user can act on, never what it cannot (a street admin is not told about unmatched tickets).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ToDo:
    label: str
    url: str
    count: int | None = None
    detail: str = ""
    urgent: bool = False  # late or blocking others: shown first, marked
    kind: str = ""  # what the item is about, for the page (data-todo) and its tests


TO_DOS: list[Callable[[object], list[ToDo]]] = []


def to_dos_for(user) -> list[ToDo]:
    """Every provider's items for the user, the urgent ones first (otherwise in the providers' order)."""
    items = [item for provider in TO_DOS for item in provider(user)]
    return sorted(items, key=lambda item: not item.urgent)
