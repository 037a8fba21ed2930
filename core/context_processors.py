from core import access
from core import navigation as nav


def navigation(request):
    user = request.user
    return {
        "menu": nav.menu_for(user),
        "user_roles": sorted(access.roles_of(user)),
    }
