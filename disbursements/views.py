from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from assessments.models import AssessmentPeriod
from core import access, freezes, jobs
from core.downloads import Download
from core.formats import yuan_text
from core.http import xlsx_response
from core.import_flow import ImportFlow
from core.jobs import JobResult
from core.numbers import int_param
from core.views import (
    UNREAD_PER_PAGE_FIELD,
    BoundedPaginationMixin,
    CapabilityRequiredMixin,
    bounded_per_page,
)
from disbursements import exports, selectors
from disbursements.exceptions import DisbursementError, ImportRejected, NothingChanged
from disbursements.filters import BatchFilter, LineFilter
from disbursements.forms import (
    BudgetAdjustmentForm,
    BudgetSourcesForm,
    CommentForm,
    PayForm,
    SpecialBatchForm,
    SpecialLineForm,
)
from disbursements.importers import build_special_plan
from disbursements.models import (
    COMMITTED,
    BatchKind,
    BatchLine,
    Budget,
    DisbursementBatch,
)
from disbursements.services import batches as batch_services
from disbursements.services import budgets as budget_services
from disbursements.services.corrections import corrections_due, generate_correction_batch
from disbursements.services.workflow import apply_transition, year_frozen
from disbursements.tables import BatchTable, LineTable
from disbursements.workflow import TRANSITIONS
from grids.models import Grid, GridLevel


def budget(request):
    access.require(request.user, "disbursements.view_budget")
    access.require_district(request.user)
    budgets = list(Budget.objects.order_by("-year"))
    selected = request.GET.get("year", "")
    current = next((b for b in budgets if str(b.year) == selected), budgets[0] if budgets else None)
    summary = selectors.budget_summary(current) if current else None
    chart = selectors.disbursement_chart(summary) if summary else None
    return render(
        request, "disbursements/budget.html", {"budgets": budgets, "summary": summary, "chart": chart}
    )


def _form_errors(form) -> str:
    return " ".join(e for errors in form.errors.values() for e in errors)


def _budget_or_404(year: int) -> Budget:
    budget = Budget.objects.filter(year=year).first()
    if budget is None:
        raise Http404(_("尚未设置 %(year)s 年预算。") % {"year": year})
    return budget


def budget_detail(request, year):
    """预算与调整: a year's funds block (年初预算数, 全年预算数, 执行数 by source) and its adjustments."""
    access.require(request.user, "disbursements.view_budgetadjustment")
    current = _budget_or_404(year)
    frozen = year_frozen(current.year)
    can_adjust = access.can(request.user, "disbursements.adjust_budget") and not frozen
    return render(
        request,
        "disbursements/budget_detail.html",
        {
            "budget": current,
            "years": Budget.objects.order_by("-year").values_list("year", flat=True),
            "sources": selectors.budget_sources(current),
            "committed": selectors.committed_total(current),
            "adjustments": current.adjustments.select_related("created_by"),
            "frozen": frozen,
            "can_adjust": can_adjust,
            "sources_form": BudgetSourcesForm(
                initial={"carryover": current.carryover, "other_funds": current.other_funds}
            )
            if can_adjust
            else None,
            "adjustment_form": BudgetAdjustmentForm() if can_adjust else None,
        },
    )


@require_POST
def budget_sources(request, year):
    access.require(request.user, "disbursements.adjust_budget")
    current = _budget_or_404(year)
    form = BudgetSourcesForm(request.POST)
    try:
        if not form.is_valid():
            raise DisbursementError(_form_errors(form))
        budget_services.update_budget_sources(user=request.user, budget=current, **form.cleaned_data)
    except DisbursementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已保存上年结转资金和其他资金。"))
    return redirect("disbursements:budget_detail", year=current.year)


@require_POST
def budget_adjust(request, year):
    access.require(request.user, "disbursements.adjust_budget")
    current = _budget_or_404(year)
    form = BudgetAdjustmentForm(request.POST)
    try:
        if not form.is_valid():
            raise DisbursementError(_form_errors(form))
        adjustment = budget_services.add_budget_adjustment(
            user=request.user, budget=current, **form.cleaned_data
        )
    except DisbursementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("已登记预算调整 %(no)s：%(amount)s 元。")
            % {"no": adjustment.document_no, "amount": f"{adjustment.amount:+,.2f}"},
        )
    return redirect("disbursements:budget_detail", year=current.year)


class BatchListView(CapabilityRequiredMixin, BoundedPaginationMixin, SingleTableMixin, FilterView):
    required_permission = "disbursements.view_disbursementbatch"
    table_class = BatchTable
    filterset_class = BatchFilter
    template_name = "disbursements/batch_list.html"

    def get_queryset(self):
        return selectors.batches_for_table(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_prepare"] = access.can(self.request.user, "disbursements.prepare_batch") and (
            access.street_scope(self.request.user) is True
        )
        context["budget_years"] = Budget.objects.order_by("-year").values_list("year", flat=True)
        if context["can_prepare"]:
            frozen = freezes.frozen_years()
            context["locked_periods"] = selectors.periods_awaiting_batch(frozen)
            context["corrections_due"] = corrections_due(exclude_years=frozen)
        return context


def _batch_or_404(request, pk) -> DisbursementBatch:
    access.require(request.user, "disbursements.view_disbursementbatch")
    try:
        batch = selectors.batch_detail(pk)
    except DisbursementBatch.DoesNotExist:
        raise Http404(_("拨付批次不存在。")) from None
    if not selectors.batch_visible(request.user, batch):
        raise Http404(_("拨付批次不存在，或没有拨付给本街镇的款项。"))
    return batch


def batch_detail(request, pk):
    batch = _batch_or_404(request, pk)
    lines = LineFilter(
        request.GET, queryset=selectors.lines_for_table(request.user, batch), user=request.user
    )
    is_correction = batch.kind == BatchKind.CORRECTION
    table = LineTable(
        lines.qs, per_page_field=UNREAD_PER_PAGE_FIELD, exclude=() if is_correction else ("adjustment",)
    )
    RequestConfig(request, paginate={"per_page": bounded_per_page(request)}).configure(table)
    page = selectors.batch_page(request.user, batch, street_id=int_param(request.GET.get("street")))
    return render(
        request,
        "disbursements/batch_detail.html",
        {**page, "filter": lines, "table": table, "pay_form": PayForm(), "line_form": SpecialLineForm()},
    )


@require_POST
def transition(request, pk, action):
    batch = _batch_or_404(request, pk)
    if action not in TRANSITIONS:
        raise Http404
    pay = PayForm(request.POST) if action == "pay" else None
    comment = CommentForm(request.POST)
    try:
        for form in (comment, pay):
            if form is not None and not form.is_valid():
                raise DisbursementError(_form_errors(form))
        details = {"comment": comment.cleaned_data.get("comment", "")}
        if pay:
            details |= {"paid_on": pay.cleaned_data["paid_on"], "voucher_no": pay.cleaned_data["voucher_no"]}
        apply_transition(batch=batch, action=action, user=request.user, **details)
    except DisbursementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已%(action)s。") % {"action": TRANSITIONS[action].label})
    return redirect("disbursements:batch_detail", pk=batch.pk)


@require_POST
def generate(request):
    """Generate a locked quarter's batch in the background (a city's takes seconds); its job page then opens
    the batch (disbursements.jobs.generate_batch)."""
    access.require(request.user, "disbursements.prepare_batch")
    period = get_object_or_404(
        AssessmentPeriod.objects.select_related("year"), pk=int_param(request.POST.get("period", "")) or 0
    )
    job, _started = jobs.start_job(
        user=request.user,
        kind="disbursements.generate_batch",
        key=f"{request.user.pk}:{period.pk}",
        title=_("生成拨付批次：%(period)s") % {"period": period},
        params={"period": period.pk},
    )
    return redirect("job", pk=job.pk)


@require_POST
def correct(request):
    access.require(request.user, "disbursements.prepare_batch")
    period = get_object_or_404(AssessmentPeriod, pk=int_param(request.POST.get("period", "")) or 0)
    try:
        batch = generate_correction_batch(user=request.user, period=period)
    except NothingChanged as exc:
        messages.info(request, str(exc))
        return redirect("disbursements:batch_detail", pk=exc.batch.pk)
    except DisbursementError as exc:
        messages.error(request, str(exc))
        quarterly = DisbursementBatch.objects.live().filter(period=period, kind=BatchKind.QUARTERLY).first()
        if quarterly is None:
            return redirect("disbursements:batches")
        return redirect("disbursements:batch_detail", pk=quarterly.pk)
    messages.success(
        request,
        _("已生成“%(title)s”：%(n)d 条明细，净额 %(total)s 元。")
        % {"title": batch.title, "n": batch.lines.count(), "total": yuan_text(batch.total)},
    )
    return redirect("disbursements:batch_detail", pk=batch.pk)


def special_create(request):
    access.require(request.user, "disbursements.prepare_batch")
    form = SpecialBatchForm(
        request.POST or None,
        initial={"year": Budget.objects.order_by("-year").values_list("year", flat=True).first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = batch_services.create_special_batch(
                user=request.user, year=form.cleaned_data["year"], title=form.cleaned_data["title"]
            )
        except DisbursementError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("disbursements:batch_detail", pk=batch.pk)
    return render(request, "disbursements/special_form.html", {"form": form})


@require_POST
def line_add(request, pk):
    batch = _batch_or_404(request, pk)
    access.require(request.user, "disbursements.prepare_batch")  # 403 before any form message
    form = SpecialLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            batch_services.add_special_line(user=request.user, batch=batch, **form.cleaned_data)
        except DisbursementError as exc:
            messages.error(request, str(exc))
    return redirect("disbursements:batch_detail", pk=batch.pk)


@require_POST
def line_delete(request, pk, line_pk):
    batch = _batch_or_404(request, pk)
    line = get_object_or_404(BatchLine, pk=line_pk, batch=batch)
    try:
        batch_services.remove_special_line(user=request.user, batch=batch, line=line)
    except DisbursementError as exc:
        messages.error(request, str(exc))
    return redirect("disbursements:batch_detail", pk=batch.pk)


def _export_title(request, pk) -> str:
    return _("导出拨付明细：%(batch)s") % {"batch": _batch_or_404(request, pk).title}


def _export_file(request, progress, pk) -> JobResult:
    batch = _batch_or_404(request, pk)
    return JobResult(
        content=exports.batch_workbook(request.user, batch), filename=f"{batch.title}-拨付明细.xlsx"
    )


# A quarter's batch has a line for every rewarded grid (thousands): the page's button makes it as a job.
export = Download("disbursements.batch_export", make=_export_file, title=_export_title)


def _notice_or_404(request, pk, street_pk):
    """The batch and street of a 拨付通知: an approved batch paying a street in the user's scope."""
    batch = _batch_or_404(request, pk)
    street = Grid.objects.for_user(request.user).filter(pk=street_pk, level=GridLevel.STREET).first()
    if street is None:
        raise Http404(_("街镇不存在或不在您的管辖范围内。"))
    if batch.status not in COMMITTED:
        raise Http404(_("批次审核通过后才能出具拨付通知。"))
    if not batch.lines.filter(street=street).exists():
        raise Http404(_("该批次没有拨付给%(street)s的款项。") % {"street": street.name})
    return batch, street


def notice(request, pk, street_pk):
    return exports.notice_response(*_notice_or_404(request, pk, street_pk))


def notice_workbook(request, pk, street_pk):
    """The street's part of the batch as a workbook beside its 拨付通知: the notice's table, then its lines."""
    batch, street = _notice_or_404(request, pk, street_pk)
    return xlsx_response(exports.street_workbook(batch, street), f"{batch.title}-{street.name}-拨付明细.xlsx")


def queue(request):
    access.require(request.user, "disbursements.approve_batch")
    return render(request, "disbursements/queue.html", {"batches": selectors.queue_for(request.user)})


def _special_cells(plan, row):
    if row.line_id is None:
        return [row.row, row.payee_name, row.purpose, yuan_text(row.amount), _("新增")]
    return [
        row.row,
        row.payee_name,
        row.purpose,
        f"{yuan_text(row.old_amount)} → {yuan_text(row.amount)}",
        _("改金额"),
    ]


def _special_summary(plan) -> str:
    return _("已导入：新增 %(new)d 条，改金额 %(changed)d 条；%(same)d 条已存在，未重复添加。") % {
        "new": len(plan.creates),
        "changed": len(plan.updates),
        "same": plan.unchanged,
    }


def _editable_special(request, pk) -> DisbursementBatch:
    batch = _batch_or_404(request, pk)
    if batch.kind != BatchKind.SPECIAL or not batch.is_editable:
        raise Http404(_("只有草稿或已退回的专项批次可以导入明细。"))
    return batch


def _special_plan(request, data, pk):
    return build_special_plan(data, batch=_editable_special(request, pk))


def _special_apply(request, data, pk, progress):
    batch = _editable_special(request, pk)
    return batch_services.import_special_lines(user=request.user, batch=batch, data=data, progress=progress)


import_flow = ImportFlow(
    kind="disbursements.special",
    title=_("导入专项拨付明细"),
    perm="disbursements.prepare_batch",
    preview_url_name="disbursements:lines_import_preview",
    build_plan=_special_plan,
    apply=_special_apply,
    job_kind="disbursements.special_import",
    rejected=ImportRejected,
    refused=(DisbursementError,),
    done_url=lambda request, pk: reverse("disbursements:batch_detail", kwargs={"pk": pk}),
    back=lambda request, pk: (_("拨付批次"), reverse("disbursements:batch_detail", kwargs={"pk": pk})),
    summary=_special_summary,
    headers=(_("行"), _("收款单位"), _("用途"), _("金额（元）"), _("变化")),
    row_cells=_special_cells,
    help_text=_(
        "每行一笔：收款单位（街镇或村（社区）的名称或编码，也可写成“月坡社区（编码）”“街镇/村（社区）”，或分“街镇”"
        "“村（社区）”两列，村（社区）空着即拨付到街镇）、用途（事由）、金额（元；“金额（万元）”列按万元换算）。"
        "有“三级网格”“四级网格”或“姓名”列时，写在用途后面，同一单位的两个人即两笔。"
        "同一收款单位和用途再次导入不会重复添加，金额不同时改为新金额。"
    ),
)
