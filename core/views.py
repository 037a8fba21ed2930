from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static

from core import access
from core.roles import Role


class CapabilityRequiredMixin:
    """Answer 403 unless the user holds `required_permission` (login is enforced by middleware)."""

    required_permission: str = ""

    def dispatch(self, request, *args, **kwargs):
        access.require(request.user, self.required_permission)
        return super().dispatch(request, *args, **kwargs)


class BoundedPaginationMixin:
    """Paginate a django-tables2 list, honouring ?per_page= up to a ceiling (no page of 100,000 rows)."""

    default_per_page = 50
    max_per_page = 200

    def get_table_kwargs(self):
        # django-tables2 would read ?per_page= itself, uncapped; point it at a field no request sends.
        return {**super().get_table_kwargs(), "per_page_field": "_per_page_capped"}

    def get_table_pagination(self, table):
        requested = self.request.GET.get("per_page", "")
        per_page = int(requested) if requested.isdigit() and int(requested) > 0 else self.default_per_page
        return {"per_page": min(per_page, self.max_per_page)}


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; resolved per request (manifest storage)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def home(request):
    # The leaders' home page is the dashboard (reports app), named by URL only: core imports no app.
    if access.has_role(request.user, Role.LEADER) and access.can(request.user, "reports.view_selfevaluation"):
        return redirect("reports:dashboard")
    return render(request, "core/home.html")
