"""Who sees what and who may do what: the one place the rest of the code asks."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.roles import Role


def roles_of(user) -> frozenset[str]:
    """Return the names of the user's roles, cached on the user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & {str(r) for r in roles})


def can(user, perm: str) -> bool:
    """Return whether the user holds a capability (a Django permission 'app.codename')."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(perm))


def require(user, perm: str) -> None:
    """Raise PermissionDenied (HTTP 403) unless the user holds the capability."""
    if not can(user, perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def street_scope(user) -> int | bool | None:
    """Return True for 'every street', a street id, or False for 'nothing'."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if has_role(user, Role.STREET_ADMIN):
        return user.street_id or False
    return bool(roles_of(user))


def scope(user, queryset: QuerySet, *street_lookups: str) -> QuerySet:
    """Restrict a queryset to the rows the user may see.

    street_lookups name the fields holding the row's street id (default "street"); a row is
    visible to a street admin when any of them equals the admin's street.
    """
    allowed = street_scope(user)
    if allowed is True:
        return queryset
    if allowed is False:
        return queryset.none()
    condition = Q()
    for lookup in street_lookups or ("street",):
        condition |= Q(**{lookup: allowed})
    return queryset.filter(condition)


def in_scope(user, street_id: int | None) -> bool:
    """Return whether an object belonging to street_id is within the user's scope."""
    allowed = street_scope(user)
    return allowed is True or (allowed is not False and allowed == street_id)
