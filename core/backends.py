"""Django's model permissions, with who a user is and what they hold kept between requests (core.changes).

Every request asked the database for the user's permissions (two queries, on its first permission check)
and roles (a third): about a millisecond and a half of a page's 10 to 20 on PostgreSQL, for answers that
change only when someone edits a role or a user's roles. They are kept now, one entry per user, until a
table they were read from is written (a permission given to a role, a user added to a role), and computed
again then, all three in one query made of Django's own querysets, so the answers are Django's.
"""

from django.contrib.auth import backends
from django.contrib.auth.models import Permission
from django.db.models import CharField, Value

from core.changes import remember

# Who a user is and what they hold is kept for five minutes at most, whatever the marks say: were a change
# mark lost (the cache failing at the moment a user is switched off or loses a role, which is logged), the
# old answer could otherwise be served until the table is written again.
KEPT_SECONDS = 300


def permissions(user) -> tuple[list[str], list[str]]:
    """A user's permission names: given to the user, and given through their roles."""
    given, through_roles, _roles = _held(user)
    return given, through_roles


def roles(user) -> list[str]:
    """The names of a user's roles (core.access.roles_of)."""
    return _held(user)[2]


def _held(user) -> tuple[list[str], list[str], list[str]]:
    """What a user holds, read together: their own permissions, their roles' and the roles' names. One
    query (a UNION ALL of Django's two permission queries and the roles), not three, when nothing is kept:
    a page first seen after a write asks the database for the user's permissions once."""

    def compute():
        if user.is_superuser:  # every permission there is: Django's answer
            fresh = backends.ModelBackend()
            return (
                sorted(backends.ModelBackend._get_permissions(fresh, user, None, "user")),
                sorted(backends.ModelBackend._get_permissions(fresh, user, None, "group")),
                sorted(user.groups.values_list("name", flat=True)),
            )
        # Django's own querysets (ModelBackend._get_user_permissions and _get_group_permissions), labelled.
        given = _labelled(user.user_permissions.all(), "user", "content_type__app_label", "codename")
        through_roles = _labelled(
            Permission.objects.filter(group__in=user.groups.all()),
            "group",
            "content_type__app_label",
            "codename",
        )
        named = _labelled(user.groups.all(), "role", "name", "name")
        found = {"user": [], "group": [], "role": []}
        for kind, first, second in given.union(through_roles, named, all=True):
            found[kind].append(first if kind == "role" else f"{first}.{second}")
        return sorted(set(found["user"])), sorted(set(found["group"])), sorted(set(found["role"]))

    # A superuser holds every permission there is: the flags are part of the key, not of what is read. On
    # the object too, as Django keeps its permissions there: a request reads them once (a request that
    # changes its own user's roles sees the new ones from the next request, as with Django's permissions).
    held = getattr(user, "_held", None)
    if held is None:
        held = remember(f"held:{user.pk}:{user.is_superuser}:{user.is_active}", compute, timeout=KEPT_SECONDS)
        user._held = held
    return held


def _labelled(queryset, kind: str, first: str, second: str):
    return queryset.order_by().values_list(Value(kind, output_field=CharField()), first, second)


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        """The session's user, with their street (the menu names it), kept as their permissions are: every
        request read the row, a round trip to the database on a busy machine's every page."""
        model = backends.UserModel
        user = remember(
            f"user:{user_id}",
            lambda: model._default_manager.select_related("street").filter(pk=user_id).first(),
            timeout=KEPT_SECONDS,
        )
        return user if self.user_can_authenticate(user) else None

    def _get_permissions(self, user_obj, obj, from_name):
        if (
            obj is None
            and user_obj.is_active
            and not user_obj.is_anonymous
            and not hasattr(user_obj, f"_{from_name}_perm_cache")
        ):
            user_obj._user_perm_cache, user_obj._group_perm_cache = map(set, permissions(user_obj))
        return super()._get_permissions(user_obj, obj, from_name)
