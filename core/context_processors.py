from core import access
from core import navigation as nav


def navigation(request):
    # An error page may be drawn for a request the middleware never saw (a bad Host header): no menu.
    user = getattr(request, "user", None)
    if user is None:
        return {"menu": [], "user_roles": []}
    return {
        "menu": nav.menu_for(user),
        "user_roles": sorted(access.roles_of(user)),
    }
