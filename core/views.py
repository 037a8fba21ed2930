from django.shortcuts import render

from core import access


class CapabilityRequiredMixin:
    """Answer 403 unless the user holds `required_permission` (login is enforced by middleware)."""

    required_permission: str = ""

    def dispatch(self, request, *args, **kwargs):
        access.require(request.user, self.required_permission)
        return super().dispatch(request, *args, **kwargs)


def home(request):
    return render(request, "core/home.html")
