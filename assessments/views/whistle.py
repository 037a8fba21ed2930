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
from assessments.exports import tickets_workbook
from assessments.filters import TicketFilter
from assessments.forms import AdvanceForm, TicketForm
from assessments.importers.whistle import build_ticket_plan
from assessments.models import AssessmentPeriod, TicketStatus, WhistleTicket
from assessments.selectors import whistle as whistle_selectors
from assessments.services import whistle as whistle_services
from assessments.tables import TicketTable
from core import access
from core.audit import history_rows
from core.changes import remember
from core.downloads import Download
from core.formats import counted
from core.import_flow import ImportFlow
from core.jobs import JobResult
from core.views import BoundedPaginationMixin, CapabilityRequiredMixin
from grids.models import Grid


class TicketListView(CapabilityRequiredMixin, BoundedPaginationMixin, SingleTableMixin, FilterView):
    required_permission = "assessments.view_whistleticket"
    table_class = TicketTable
    filterset_class = TicketFilter
    template_name = "assessments/ticket_list.html"

    def get_queryset(self):
        return whistle_selectors.tickets_for_table(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}


def _ticket_export_title(request) -> str:
    access.require(request.user, "assessments.view_whistleticket")
    return _("导出雷锋哨哨单（筛选结果）") if request.GET else _("导出雷锋哨哨单")


def _ticket_export_file(request, progress) -> JobResult:
    access.require(request.user, "assessments.view_whistleticket")
    tickets = TicketFilter(
        request.GET, queryset=whistle_selectors.tickets_for_table(request.user), user=request.user
    ).qs
    unit = access.scope_name(request.user)
    if request.GET.get("blank"):
        tickets, unit = tickets.none(), None  # the headers only: a form to fill in for an import
    return JobResult(
        content=tickets_workbook(tickets, unit=unit),
        filename=f"雷锋哨哨单-{timezone.localdate():%Y%m%d}.xlsx",
    )


# The list's filters, or every ticket of a year: the page's button makes it as a job.
ticket_export = Download("assessments.tickets_export", make=_ticket_export_file, title=_ticket_export_title)


def _ticket_or_404(request, pk) -> WhistleTicket:
    access.require(request.user, "assessments.view_whistleticket")
    try:
        return whistle_selectors.ticket_detail(request.user, pk)
    except WhistleTicket.DoesNotExist:
        raise Http404(_("哨单不存在或不在您的管辖范围内。")) from None


def ticket_detail(request, pk):
    ticket = _ticket_or_404(request, pk)
    following = whistle_services.next_status(ticket.status)
    return render(
        request,
        "assessments/ticket_detail.html",
        {
            "ticket": ticket,
            "history": history_rows(
                ticket.history.select_related("history_user"),
                ["status", "department", "description", "whistled_at", "reported_at", "closed_at"],
            ),
            "next_status": TicketStatus(following).label if following else None,
            "needs_department": following == TicketStatus.WHISTLED,
            "can_change": access.can(request.user, "assessments.change_whistleticket"),
            "frozen": whistle_services.ticket_year_refusal(ticket.collected_at) if following else None,
            "advance_form": AdvanceForm(
                initial={"at": timezone.localtime().replace(second=0, microsecond=0)}
            ),
        },
    )


@require_POST
def ticket_advance(request, pk):
    ticket = _ticket_or_404(request, pk)
    access.require(request.user, "assessments.change_whistleticket")  # 403 before any form message
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的时间。"))
    else:
        try:
            ticket = whistle_services.advance_ticket(
                user=request.user,
                ticket=ticket,
                at=form.cleaned_data["at"],
                department=form.cleaned_data["department"],
            )
        except AssessmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("哨单已更新为“%(status)s”。") % {"status": ticket.get_status_display()}
            )
    return redirect("assessments:ticket_detail", pk=ticket.pk)


def ticket_create(request):
    access.require(request.user, "assessments.add_whistleticket")
    form = TicketForm(request.POST or None, grids=Grid.objects.for_user(request.user).active())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = whistle_services.create_ticket(
                user=request.user,
                number="".join(data["number"].split()),
                grid=data["grid"],
                reporter=data["reporter"],
                collected_at=data["collected_at"],
                category=data["category"],
                description=data["description"],
                department=data["department"],
            )
        except AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已登记哨单 %(no)s。") % {"no": ticket.number})
            return redirect("assessments:ticket_detail", pk=ticket.pk)
    return render(request, "assessments/simple_form.html", {"form": form, "title": _("登记雷锋哨哨单")})


def ticket_statistics(request):
    access.require(request.user, "assessments.view_whistleticket")
    periods = list(AssessmentPeriod.objects.select_related("year").order_by("-year__year", "-quarter"))
    selected = request.GET.get("period", "")
    period = next((p for p in periods if str(p.pk) == selected), None)
    period = period or whistle_selectors.statistics_period(request.user, periods)
    # Kept until a ticket (or the roster) changes: a quarter's 12,000 tickets are 30 ms to count.
    scope = access.street_scope(request.user)
    stats = (
        remember(
            f"ticket-statistics:{scope}:{period.pk}",
            lambda: whistle_selectors.ticket_statistics(request.user, period),
        )
        if period
        else None
    )
    return render(
        request, "assessments/ticket_statistics.html", {"periods": periods, "period": period, "stats": stats}
    )


import_flow = ImportFlow(
    kind="assessments.tickets",
    title=_("导入雷锋哨哨单"),
    perm="assessments.change_whistleticket",
    preview_url_name="assessments:tickets_import_preview",
    build_plan=lambda request, data: build_ticket_plan(
        data,
        street_id=whistle_services.street_limit(request.user),
        frozen=whistle_services.frozen_ticket_years(),
    ),
    apply=lambda request, data, progress: whistle_services.import_tickets(
        user=request.user, data=data, progress=progress
    ),
    job_kind="assessments.tickets_import",
    rejected=ImportRejected,
    refused=(AssessmentError,),
    done_url=lambda request: reverse("assessments:tickets"),
    back=lambda request: (_("雷锋哨哨单"), reverse("assessments:tickets")),
    summary=lambda plan: (
        _("导入完成：新增哨单 %(c)s 条、更新 %(u)s 条。")
        % counted({"c": len(plan.creates), "u": len(plan.updates)})
    ),
    headers=(_("哨单编号"), _("网格"), _("采集人"), _("问题类别"), _("责任单位"), _("状态")),
    row_cells=lambda plan, row: [
        row.number,
        plan.labels.get(row.values["grid_id"], ""),
        row.values["reporter"],
        row.values["category"],
        row.values["department"],
        TicketStatus(row.values["status"]).label,
    ],
    template_url=lambda: reverse("assessments:tickets_export") + "?blank=1",
    help_text=_(
        "每行一张哨单：哨单编号；网格编码（填了网格名称的，用于核对），或 街镇/村（社区）/三级网格/四级网格 名称；采集人、采集时间；"
        "可选问题类别、问题描述、责任单位（报到部门）；状态（如 待吹哨、待报到、处理中、办结）及各步时间。"
        "已有编号的哨单按文件内容更新（例如办结状态）。"
    ),
)
