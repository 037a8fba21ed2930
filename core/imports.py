"""Keeping an uploaded workbook, and its parsed preview, between the preview and the user's confirmation."""

import pickle

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import PendingImport
from core.xlsx import ImportFileError, check_size, open_workbook


def stash_upload(*, user, kind: str, upload, target: str = "") -> PendingImport:
    """Store an upload for preview; refuse what is too large or not a workbook at all.

    target names what the upload is for (a quarter, a batch): it is previewed and confirmed only there."""
    check_size(upload.size)
    if not upload.name.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("请上传 Excel 工作簿（.xlsx）；旧版 .xls 请先在 Excel 中另存为 .xlsx。"))
    content = upload.read()
    open_workbook(content).close()  # an empty, foreign or damaged file is refused here, never kept
    PendingImport.objects.filter(created_at__lt=timezone.now() - PendingImport.MAX_AGE).delete()
    return PendingImport.objects.create(
        user=user, kind=kind, filename=upload.name[:255], content=content, target=target[:200]
    )


def load_preview(pending: PendingImport):
    """The parsed preview kept with the upload, or None when there is none (or it cannot be read back)."""
    if not pending.preview:
        return None
    try:
        # Written only by keep_preview below, from the server's own plan objects, never from user input.
        return pickle.loads(bytes(pending.preview))
    except Exception:  # a plan class changed by an upgrade since the preview was kept
        return None


def keep_preview(pending: PendingImport, plan) -> bool:
    """Keep a parsed preview with its upload, so that showing it again does not re-read the workbook;
    False when it could not be kept."""
    try:
        data = pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a plan holding something that cannot be kept is simply parsed again next time
        return False
    return bool(PendingImport.objects.filter(pk=pending.pk).update(preview=data))


def load_pending(*, user, kind: str, token) -> PendingImport:
    try:
        return PendingImport.objects.get(pk=token, user=user, kind=kind)
    except PendingImport.DoesNotExist:
        raise Http404(_("该导入已完成或已过期，请重新上传文件。")) from None


def claim_pending(pending: PendingImport) -> bool:
    """Take an upload for applying it, inside the caller's transaction; False when another request
    (a second click on 确认导入) has taken it first.

    The delete locks the row: a concurrent confirm waits, then deletes nothing. If applying fails, the
    caller's transaction rolls back and the upload is there again to retry."""
    deleted, _rows = PendingImport.objects.filter(pk=pending.pk).delete()
    return bool(deleted)
