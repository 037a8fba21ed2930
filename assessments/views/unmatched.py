"""The 未匹配工单 page: find unmatched 12345 tickets, select many, assign them to a community or 核减 them."""

from collections.abc import Callable
from itertools import groupby

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from assessments.exceptions import AssessmentError
from assessments.filters_unmatched import UnmatchedFilter
from assessments.forms import AssignForm, InvalidateForm
from assessments.selectors import unmatched as selectors
from assessments.selectors.hotline import require_ticket_staff
from assessments.services import unmatched as services
from core.formats import counted
from grids import selectors as grid_selectors

PER_PAGE = 100
# The page's own parameters, carried from the list to an action and back.
KEPT = ("q", "street", "period", "page")


class SelectionForm(forms.Form):
    field_order = ["complaints"]  # "tick some tickets" is said before what the action itself lacks
    # Both actions share one form (the ticked rows): the browser must not demand the other action's field.
    use_required_attribute = False
    complaints = forms.ModelMultipleChoiceField(
        queryset=selectors.unresolved(),
        error_messages={
            "required": gettext_lazy("请先勾选工单。"),
            "invalid_choice": gettext_lazy("所选工单有的已被处理，请刷新页面后重新选择。"),
            "invalid_pk_value": gettext_lazy("所选工单有的已被处理，请刷新页面后重新选择。"),
        },
    )


class BulkAssignForm(SelectionForm, AssignForm):
    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, communities=communities, **kwargs)
        field = self.fields["community"]
        field.error_messages["required"] = _("请选择一个村（社区）。")
        # Grouped by street: the same community name may exist in two streets.
        field.widget.choices = [("", _("选择村（社区）…"))] + [
            (street, [(c.pk, c.name) for c in members])
            for street, members in groupby(communities, key=lambda c: c.street.name)
        ]


class BulkInvalidateForm(SelectionForm, InvalidateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _("核减必须填写理由。")


def _communities(request):
    return (
        grid_selectors.communities_for(request.user)
        .active()
        .select_related("street")
        .order_by("street__code", "code")
    )


def _back(request):
    """Back to the list with the filters and page the action was taken from."""
    sent = QueryDict(request.POST.get("back", ""))
    kept = QueryDict(mutable=True)
    for key in KEPT:
        if sent.get(key):
            kept[key] = sent[key]
    url = reverse("assessments:unmatched_complaints")
    return redirect(f"{url}?{kept.urlencode()}" if kept else url)


@require_safe
def unmatched_list(request):
    require_ticket_staff(request.user)
    filterset = UnmatchedFilter(request.GET or None, queryset=selectors.unresolved_for_page())
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    period = filterset.form.cleaned_data.get("period") if filterset.is_bound else None
    locked = selectors.locked_ranges()
    return render(
        request,
        "assessments/unmatched.html",
        {
            "filter": filterset,
            "page": page,
            # What is left to do, not what the text or street filter shows: after resolving the
            # filtered tickets the badge still counts the quarter's others.
            "period": period,
            "waiting": selectors.waiting(period),
            "narrowed": filterset.is_bound
            and any(filterset.form.cleaned_data.get(k) for k in ("q", "street")),
            "rows": [(c, any(s <= c.received_on <= e for s, e in locked)) for c in page],
            "assign_form": BulkAssignForm(communities=_communities(request)),
            "invalidate_form": BulkInvalidateForm(),
            "back": request.GET.urlencode(),
        },
    )


def _act(request, form, action: Callable[[dict], str]):
    """Run an action on a valid selection and say what it did (or why nothing was done); then go back."""
    if not form.is_valid():
        messages.error(request, " ".join(dict.fromkeys(e for errors in form.errors.values() for e in errors)))
    else:
        try:
            messages.success(request, action(form.cleaned_data))
        except AssessmentError as exc:
            messages.error(request, str(exc))
    return _back(request)


@require_POST
def unmatched_assign(request):
    require_ticket_staff(request.user)

    def assign(data) -> str:
        community = data["community"]
        n = services.assign_complaints(user=request.user, complaints=data["complaints"], community=community)
        return _("已将 %(n)s 条工单指定到“%(street)s%(name)s”。") % counted(
            {
                "n": n,
                "street": community.street.name,
                "name": community.name,
            }
        )

    return _act(request, BulkAssignForm(request.POST, communities=_communities(request)), assign)


@require_POST
def unmatched_invalidate(request):
    require_ticket_staff(request.user)

    def invalidate(data) -> str:
        n = services.invalidate_complaints(
            user=request.user, complaints=data["complaints"], reason=data["reason"]
        )
        return _("已核减 %(n)s 条工单，不再计入投诉数。") % counted({"n": n})

    return _act(request, BulkInvalidateForm(request.POST), invalidate)
