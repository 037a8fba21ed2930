from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from assessments.exceptions import AssessmentError, ImportRejected
from assessments.exports import zero_complaint_workbook
from assessments.filters import ComplaintFilter
from assessments.forms import AssignForm, ComplaintForm, InvalidateForm
from assessments.importers.hotline import build_complaint_plan
from assessments.models import AssessmentPeriod, HotlineComplaint
from assessments.rules import quarter_of
from assessments.selectors import hotline as hotline_selectors
from assessments.selectors import unmatched as unmatched_selectors
from assessments.services import hotline as hotline_services
from assessments.tables import ComplaintTable
from assessments.views.common import period_or_404
from core import access
from core.audit import history_rows
from core.downloads import Download
from core.import_flow import ImportFlow
from core.jobs import JobResult
from core.numbers import int_param
from core.views import BoundedPaginationMixin, CapabilityRequiredMixin
from grids import selectors as grid_selectors
from grids.models import Grid, GridLevel


def _street_param(request) -> int | None:
    return int_param(request.GET.get("street"))


def zero_complaint(request, pk):
    period = period_or_404(request, pk, "assessments.view_hotlinecomplaint")
    street_id = _street_param(request)
    rows = hotline_selectors.zero_complaint_rows(request.user, period, street_id=street_id)
    zero = [r for r in rows if r.is_zero]
    return render(
        request,
        "assessments/zero_complaint.html",
        {
            "period": period,
            "rows": rows,
            "streets": grid_selectors.streets_for(request.user),
            "street_id": street_id,
            "zero_count": len(zero),
            "zero_urban": sum(1 for r in zero if r.kind == "urban"),
            "reward_total": sum((r.reward for r in rows), start=0),
            # Only those who can resolve them are told of unmatched tickets (a street admin cannot).
            "unresolved": unmatched_selectors.unresolved().received_in(period).count()
            if hotline_selectors.handles_tickets(request.user)
            else 0,
            "not_counted": sum(r.not_counted for r in rows),
        },
    )


def _zero_complaint_title(request, pk) -> str:
    period = period_or_404(request, pk, "assessments.view_hotlinecomplaint")
    return _("导出%(period)s零投诉村（社区）") % {"period": period}


def _zero_complaint_file(request, progress, pk) -> JobResult:
    period = period_or_404(request, pk, "assessments.view_hotlinecomplaint")
    return JobResult(
        content=zero_complaint_workbook(request.user, period, street_id=_street_param(request)),
        filename=f"{period.year.year}年第{period.quarter}季度零投诉村（社区）.xlsx",
    )


zero_complaint_export = Download(
    "assessments.zero_complaint_export", make=_zero_complaint_file, title=_zero_complaint_title
)


class ComplaintListView(CapabilityRequiredMixin, BoundedPaginationMixin, SingleTableMixin, FilterView):
    required_permission = "assessments.view_hotlinecomplaint"
    table_class = ComplaintTable
    filterset_class = ComplaintFilter
    template_name = "assessments/complaint_list.html"

    def get_queryset(self):
        return hotline_selectors.complaints_for_table(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs):
        resolves = hotline_selectors.handles_tickets(self.request.user)
        return {
            **super().get_context_data(**kwargs),
            "can_resolve": resolves,
            "unresolved": unmatched_selectors.unresolved().count() if resolves else 0,
        }


def _complaint_or_404(request, pk) -> HotlineComplaint:
    access.require(request.user, "assessments.view_hotlinecomplaint")
    try:
        return hotline_selectors.complaint_detail(request.user, pk)
    except HotlineComplaint.DoesNotExist:
        raise Http404(_("工单不存在或不在您的管辖范围内。")) from None


def _communities(request):
    return (
        grid_selectors.communities_for(request.user).select_related("street").order_by("street__code", "code")
    )


def complaint_detail(request, pk):
    complaint = _complaint_or_404(request, pk)
    return render(
        request,
        "assessments/complaint_detail.html",
        {
            "complaint": complaint,
            "history": history_rows(
                complaint.history.select_related("history_user"),
                ["community", "is_valid", "invalid_reason"],
                names=dict(Grid.objects.filter(level=GridLevel.COMMUNITY).values_list("pk", "name")),
            ),
            "can_change": hotline_selectors.handles_tickets(request.user),
            "assign_form": AssignForm(
                communities=_communities(request), initial={"community": complaint.community_id}
            ),
            "invalidate_form": InvalidateForm(),
        },
    )


def _complaint_action(request, pk, action):
    complaint = _complaint_or_404(request, pk)
    access.require(request.user, "assessments.change_hotlinecomplaint")  # 403 before any form message
    try:
        action(complaint)
    except AssessmentError as exc:
        messages.error(request, str(exc))
    return redirect("assessments:complaint_detail", pk=complaint.pk)


@require_POST
def complaint_assign(request, pk):
    form = AssignForm(request.POST, communities=_communities(request))

    def assign(complaint):
        if not form.is_valid():
            raise AssessmentError(_("请选择一个村（社区）。"))
        hotline_services.assign_complaint(
            user=request.user, complaint=complaint, community=form.cleaned_data["community"]
        )
        messages.success(request, _("已指定到“%(name)s”。") % {"name": form.cleaned_data["community"].name})

    return _complaint_action(request, pk, assign)


@require_POST
def complaint_invalidate(request, pk):
    form = InvalidateForm(request.POST)

    def invalidate(complaint):
        if not form.is_valid():
            raise AssessmentError(_("核减必须填写理由。"))
        hotline_services.invalidate_complaint(
            user=request.user, complaint=complaint, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("已核减，该工单不再计入投诉数。"))

    return _complaint_action(request, pk, invalidate)


@require_POST
def complaint_restore(request, pk):
    def restore(complaint):
        hotline_services.restore_complaint(user=request.user, complaint=complaint)
        messages.success(request, _("已撤销核减。"))

    return _complaint_action(request, pk, restore)


def complaint_create(request):
    access.require(request.user, "assessments.add_hotlinecomplaint")
    form = ComplaintForm(request.POST or None, communities=_communities(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = hotline_services.add_complaint(
                user=request.user,
                ticket_no="".join(data["ticket_no"].split()),
                received_at=data["received_at"],
                community=data["community"],
                category=data["category"],
                content=data["content"],
            )
        except AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已录入工单 %(no)s。") % {"no": complaint.ticket_no})
            return redirect("assessments:complaint_detail", pk=complaint.pk)
    return render(request, "assessments/simple_form.html", {"form": form, "title": _("录入 12345 工单")})


def _complaint_cells(plan, row):
    names = plan.labels
    community = names.get(row.community_id, _("未匹配：%(text)s") % {"text": row.community_text or "—"})
    return [
        row.ticket_no,
        timezone.localtime(row.received_at).strftime("%Y-%m-%d %H:%M"),
        _("%(year)d年第%(q)d季度") % {"year": row.received_on.year, "q": quarter_of(row.received_on)},
        community,
        row.complaint_type or "—",
        _("计入") if row.counts else _("不计入"),
        _("是") if row.is_valid else _("否"),
    ]


def _import_period(request):
    """The quarter a hotline import was started from (?period=pk on the upload), if any."""
    pk = int_param(request.GET.get("period"))
    return AssessmentPeriod.objects.select_related("year").filter(pk=pk).first() if pk is not None else None


def _complaint_plan(request, data):
    plan = build_complaint_plan(data, period=_import_period(request))
    # With its street: two streets may each have a 新华社区.
    communities = Grid.objects.filter(level=GridLevel.COMMUNITY).values_list("pk", "street__name", "name")
    plan.labels = {pk: f"{street}{name}" for pk, street, name in communities}
    return plan


def _after_import(request) -> str:
    """To the 未匹配工单 page while tickets wait for a community (the import's quarter's, if it has any)."""
    waiting = unmatched_selectors.unresolved()
    if not hotline_selectors.handles_tickets(request.user) or not waiting.exists():
        return reverse("assessments:complaints")
    url = reverse("assessments:unmatched_complaints")
    period = _import_period(request)
    if period is not None and waiting.received_in(period).exists():
        return f"{url}?period={period.pk}"
    return url


import_flow = ImportFlow(
    kind="assessments.complaints",
    title=_("导入 12345 工单"),
    perm="assessments.add_hotlinecomplaint",
    preview_url_name="assessments:complaints_import_preview",
    build_plan=_complaint_plan,
    apply=lambda request, data, progress: hotline_services.import_complaints(
        user=request.user, data=data, period=_import_period(request), progress=progress
    ),
    job_kind="assessments.complaints_import",
    rejected=ImportRejected,
    refused=(AssessmentError,),
    done_url=_after_import,
    back=lambda request: (_("12345 工单"), reverse("assessments:complaints")),
    summary=lambda plan: plan.summary(),
    headers=(
        _("工单编号"),
        _("受理时间"),
        _("季度"),
        _("街镇、村（社区）"),
        _("诉求类型"),
        _("零投诉统计"),
        _("有效"),
    ),
    scope_note=lambda request: (
        _(
            "从%(period)s导入：受理时间在其他开放季度的工单导入到各自的季度，"
            "属于已锁定或尚未设置的季度的工单跳过，预览中会列出。"
        )
        % {"period": period}
        if (period := _import_period(request))
        else ""
    ),
    row_cells=_complaint_cells,
    help_text=_(
        "上传 12345 热线平台导出的工单表：工单编号、受理时间、所属区县、街镇、村（社区）（或村社区编码）、"
        "诉求类型、问题类别、诉求内容、是否有效。其他区县的工单跳过；只有本年度设置为计入投诉的诉求类型"
        "（默认“投诉”）计入零投诉，其他类型保留并标记为“不计入”。已导入过的工单编号自动跳过，不会重复计数；"
        "匹配不到村（社区）的工单导入后可人工指定。"
    ),
)
