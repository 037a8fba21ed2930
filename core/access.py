"""Who sees what and who may do what: the one place the rest of the code asks."""

from django.conf import settings
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
        from core.backends import roles  # kept between requests, as the permissions are

        cached = frozenset(roles(user))
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


def scope_name(user) -> str:
    """The unit whose data the user sees, as an export's title names it: its street, or the district."""
    allowed = street_scope(user)
    return settings.DISTRICT_NAME if allowed is True or allowed is False else user.street.name


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


# What a street admin may see beyond its own street: the published monthly bulletin, whose ranking names
# every street (its 下发 section shows the admin's own street only), and district-wide figures that name no
# street (the excellent quota left to share, the year's rules). Every other page, export and PDF it can open
# shows its own street's data only, timelines, comments and history included; the district's own pages
# (budget, dashboard, self-evaluation) are not open to it. tests/security/test_street_content_scope.py
# renders every page a street admin can open on the demo district and looks for other streets' data.
STREET_VISIBLE_DISTRICT_PAGES = frozenset(
    {"reports:bulletin", "reports:bulletin_xlsx", "reports:bulletin_pdf"}
)


def is_district(user) -> bool:
    """Whether the user sees every street (center, finance, leaders, administrators)."""
    return street_scope(user) is True


def require_district(user) -> None:
    """Raise PermissionDenied (HTTP 403) for a page of the district's own, to a street admin or anyone else."""
    if not is_district(user):
        raise PermissionDenied(_("该页面为全区汇总，仅区级用户可查看。"))
