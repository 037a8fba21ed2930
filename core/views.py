from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static

from core import access
from core.numbers import int_param
from core.roles import Role
from core.todos import to_dos_for


class CapabilityRequiredMixin:
    """Answer 403 unless the user holds `required_permission` (login is enforced by middleware)."""

    required_permission: str = ""

    def dispatch(self, request, *args, **kwargs):
        access.require(request.user, self.required_permission)
        return super().dispatch(request, *args, **kwargs)


DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 200
# django-tables2 would read ?per_page= itself, uncapped; tables point it at a field no request sends.
UNREAD_PER_PAGE_FIELD = "_per_page_capped"


def bounded_per_page(request) -> int:
    """The ?per_page= a user asked for, within 1..MAX_PER_PAGE (no page of 100,000 rows)."""
    per_page = int_param(request.GET.get("per_page")) or DEFAULT_PER_PAGE
    return min(per_page, MAX_PER_PAGE)


class BoundedPaginationMixin:
    """Paginate a django-tables2 list view with bounded_per_page."""

    def get_table_kwargs(self):
        return {**super().get_table_kwargs(), "per_page_field": UNREAD_PER_PAGE_FIELD}

    def get_table_pagination(self, table):
        return {"per_page": bounded_per_page(self.request)}


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; resolved per request (manifest storage)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def home(request):
    # The leaders' home page is the dashboard (reports app), named by URL only: core imports no app.
    if access.has_role(request.user, Role.LEADER) and access.can(request.user, "reports.view_selfevaluation"):
        return redirect("reports:dashboard")
    return render(request, "core/home.html", {"to_dos": to_dos_for(request.user)})


@login_not_required
def bad_request(request, exception=None):
    """A malformed request (400), in the site's frame with a way back, rather than Django's bare page."""
    return render(request, "400.html", status=400)


@login_not_required
def csrf_failure(request, reason=""):
    """A form refused by the CSRF check (an old tab, an expired session): say what to do, in Chinese."""
    return render(request, "403_csrf.html", status=403)
