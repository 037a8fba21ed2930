"""Pages of the money's last mile: a street's parts of paid batches, its receipt and its 下发."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access
from core.audit import history_rows
from core.formats import yuan_text
from core.http import xlsx_response
from core.numbers import int_param
from disbursements import exports, selectors_receipts
from disbursements.exceptions import DisbursementError, PassOnRefused
from disbursements.forms_receipts import PassOnCorrectionForm, PassOnForm, ReceiptCorrectionForm, ReceiptForm
from disbursements.models import BatchStatus, Budget, DisbursementBatch
from disbursements.selectors_receipts import STATUS_LABELS, StreetPart
from disbursements.services import receipts as receipt_services
from grids.models import Grid, GridLevel


def _part_or_404(request, pk: int, street_pk: int) -> StreetPart:
    access.require(request.user, "disbursements.view_streetreceipt")
    batch = DisbursementBatch.objects.select_related("budget", "period").filter(pk=pk).first()
    part = selectors_receipts.street_part(request.user, batch, street_pk) if batch else None
    if part is None:
        raise Http404(_("该街镇在本批次没有待确认到账的款项，或不在您的管辖范围内。"))
    return part


def _can_record(user) -> bool:
    return access.can(user, "disbursements.record_receipt")


def receipts(request):
    """到账与下发: a street admin's to-do list for its street; everyone else reads every street."""
    access.require(request.user, "disbursements.view_streetreceipt")
    years = list(Budget.objects.order_by("-year").values_list("year", flat=True))
    year = int_param(request.GET.get("year"))
    if year not in years:
        # The latest year with paid money: a newly opened year has nothing to receive yet.
        paid_years = DisbursementBatch.objects.filter(status=BatchStatus.PAID).order_by("-budget__year")
        year = paid_years.values_list("budget__year", flat=True).first() or (years[0] if years else None)
    status = request.GET.get("status", "")
    parts = selectors_receipts.street_parts(request.user, year=year) if year else []
    holdings = selectors_receipts.street_holdings(parts)
    street = int_param(request.GET.get("street"))
    if street is not None:
        parts = [p for p in parts if p.street_id == street]
    counts = {key: sum(1 for p in parts if p.status == key) for key in STATUS_LABELS}
    if status in STATUS_LABELS:
        parts = [p for p in parts if p.status == status]
    district = access.street_scope(request.user) is True
    own_street = access.street_scope(request.user)
    ledger_street = street if district else (own_street if not isinstance(own_street, bool) else None)
    return render(
        request,
        "disbursements/receipts/list.html",
        {
            "parts": parts,
            "years": years,
            "year": year,
            "status": status,
            "statuses": [(key, label, counts[key]) for key, label in STATUS_LABELS.items()],
            "street": street,
            "ledger_street": ledger_street if year else None,
            "streets": [(h.street_id, h.street_name) for h in holdings],
            # The center's view: who still holds money this year, and who is late in any year.
            "holdings": holdings if district else None,
            "overdue": selectors_receipts.overdue_parts(request.user) if district else None,
            "overdue_days": settings.PASS_ON_OVERDUE_DAYS,
            "can_record": _can_record(request.user),
        },
    )


def _render_part(request, part: StreetPart, *, receipt_form=None, correction_form=None, fix_form=None):
    can_record = _can_record(request.user)
    if fix_form is None and can_record and part.receipt:
        fix_form = ReceiptCorrectionForm(receipt=part.receipt, prefix="fix")
    return render(
        request,
        "disbursements/receipts/detail.html",
        {
            "part": part,
            "entries": selectors_receipts.entries(part),
            "can_record": can_record,
            "fix_form": fix_form,
            # Only once the receipt was corrected: its creation alone is already said above.
            "receipt_history": (
                history_rows(
                    part.receipt.history.select_related("history_user"), ["received_on", "voucher_no", "scan"]
                )
                if part.receipt and part.receipt.history.count() > 1
                else None
            ),
            "receipt_form": receipt_form or (ReceiptForm() if can_record and not part.receipt else None),
            "correction_form": correction_form
            or (
                PassOnCorrectionForm(shares=part.communities)
                if can_record and any(c.has_pass_on for c in part.communities)
                else None
            ),
        },
    )


def receipt(request, pk, street_pk):
    return _render_part(request, _part_or_404(request, pk, street_pk))


@require_POST
def receipt_confirm(request, pk, street_pk):
    part = _part_or_404(request, pk, street_pk)
    access.require(request.user, "disbursements.record_receipt")
    if part.receipt is not None:
        messages.error(request, _("本街镇已确认本批次到账。"))
        return redirect("disbursements:receipt", pk=pk, street_pk=street_pk)
    form = ReceiptForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_part(request, part, receipt_form=form)
    try:
        receipt_services.confirm_receipt(
            user=request.user,
            batch=part.batch,
            street=Grid.objects.get(pk=part.street_id),
            **form.cleaned_data,
        )
    except DisbursementError as exc:
        form.add_error(None, str(exc))
        return _render_part(request, part, receipt_form=form)
    messages.success(request, _("已确认到账 %(amount)s 元。") % {"amount": yuan_text(part.amount)})
    return redirect("disbursements:receipt_pass_on", pk=pk, street_pk=street_pk)


def _received(request, pk, street_pk) -> StreetPart | HttpResponse:
    """The part a street admin records on, once its receipt is confirmed (else back to the part)."""
    part = _part_or_404(request, pk, street_pk)
    access.require(request.user, "disbursements.record_receipt")
    if part.receipt is None:
        messages.error(request, _("请先确认到账。"))
        return redirect("disbursements:receipt", pk=pk, street_pk=street_pk)
    return part


def receipt_pass_on(request, pk, street_pk):
    """下发: every community still waiting, pre-filled with its full share (?community= for one only)."""
    part = _received(request, pk, street_pk)
    if not isinstance(part, StreetPart):
        return part
    shares = part.pending
    only = int_param(request.GET.get("community"))
    if only is not None:
        shares = [s for s in shares if s.community_id == only]
    form = PassOnForm(request.POST or None, shares=shares)
    if request.method == "POST" and form.is_valid():
        try:
            created = receipt_services.pass_on(
                user=request.user,
                receipt=part.receipt,
                passed_on=form.cleaned_data["passed_on"],
                voucher_no=form.cleaned_data["voucher_no"],
                entries=form.entries(),
            )
        except PassOnRefused as exc:  # on the row it concerns, so that it is found among many
            form.add_error(None, str(exc))
            form.add_error(f"{exc.field}_{exc.community_id}", str(exc))
        except DisbursementError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已登记 %(n)d 个村（社区）的下发，合计 %(amount)s 元。")
                % {"n": len(created), "amount": yuan_text(sum(p.amount for p in created))},
            )
            return redirect("disbursements:receipt", pk=pk, street_pk=street_pk)
    return render(request, "disbursements/receipts/pass_on.html", {"part": part, "form": form})


def _record(request, part: StreetPart, form, service, *, done: str, form_key: str) -> HttpResponse:
    """Run the service with a valid form's data; a refusal is shown on the form, success on the part."""
    if form.is_valid():
        try:
            service(form.cleaned_data)
        except DisbursementError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("disbursements:receipt", pk=part.batch.pk, street_pk=part.street_id)
    return _render_part(request, part, **{form_key: form})


@require_POST
def receipt_correct(request, pk, street_pk):
    """更正下发: a new entry adding to or taking back from a community's 下发, with a reason."""
    part = _received(request, pk, street_pk)
    if not isinstance(part, StreetPart):
        return part

    def correct(data):
        receipt_services.correct_pass_on(
            user=request.user,
            receipt=part.receipt,
            community=Grid.objects.get(pk=data.pop("community")),
            **data,
        )

    form = PassOnCorrectionForm(request.POST, shares=part.communities)
    return _record(request, part, form, correct, done=_("已登记更正。"), form_key="correction_form")


@require_POST
def receipt_fix(request, pk, street_pk):
    """更正到账信息: the receipt's date, voucher or scan, with a reason; the amount never changes."""
    part = _received(request, pk, street_pk)
    if not isinstance(part, StreetPart):
        return part

    def fix(data):
        receipt_services.correct_receipt(user=request.user, receipt=part.receipt, **data)

    form = ReceiptCorrectionForm(request.POST, request.FILES, receipt=part.receipt, prefix="fix")
    return _record(request, part, form, fix, done=_("已更正到账信息。"), form_key="fix_form")


def receipt_scan(request, pk, street_pk):
    """The scanned 回执, only to those who may see the street (never served from a public URL)."""
    part = _part_or_404(request, pk, street_pk)
    if part.receipt is None or not part.receipt.scan:
        raise Http404(_("没有上传回执扫描件。"))
    scan = part.receipt.scan
    suffix = "." + scan.name.rsplit(".", 1)[-1].lower()
    filename = f"{part.street_name}-{part.batch.title}-到账回执{suffix}"
    return FileResponse(
        scan.open("rb"),
        content_type=receipt_services.CONTENT_TYPES.get(suffix, "application/octet-stream"),
        filename=filename,
    )


def ledger(request, street_pk, year):
    """下发台账 of a street's year (xlsx), to those who may see that street."""
    access.require(request.user, "disbursements.view_streetreceipt")
    street = Grid.objects.for_user(request.user).filter(pk=street_pk, level=GridLevel.STREET).first()
    if street is None:
        raise Http404(_("街镇不存在或不在您的管辖范围内。"))
    workbook = exports.pass_on_ledger(request.user, street=street, year=year)
    return xlsx_response(workbook, f"{street.name}-{year}年下发台账.xlsx")
