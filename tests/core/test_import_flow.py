"""The upload → preview → confirm flow every importer shares: bound to its quarter or batch, parsed once."""

import io

from assessments.models import GridRating
from core.models import PendingImport
from tests.assessments.helpers import workbook


def _upload(client, url: str, data: bytes) -> str:
    upload = io.BytesIO(data)
    upload.name = "评定.xlsx"
    response = client.post(url, {"file": upload})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def _ratings(roster) -> bytes:
    return workbook(["网格编码", "考核等次"], [[roster["a"]["level3"].code, "合格"]])


def test_an_upload_is_confirmed_only_for_the_quarter_it_was_previewed_for(client_for, roster, year):
    q1, q2 = year.periods.get(quarter=1), year.periods.get(quarter=2)
    client = client_for("street")
    preview = _upload(client, f"/assessments/periods/{q1.pk}/ratings/import/", _ratings(roster))
    assert f"/periods/{q1.pk}/" in preview
    elsewhere = preview.replace(f"/periods/{q1.pk}/", f"/periods/{q2.pk}/")

    response = client.post(elsewhere, follow=True)
    assert "该文件是为另一个季度或批次上传的" in response.content.decode()
    assert response.redirect_chain[-1][0] == f"/assessments/periods/{q2.pk}/ratings/import/"
    assert not GridRating.objects.exists()
    assert "该文件是为另一个季度或批次上传的" in client.get(elsewhere, follow=True).content.decode()

    client.post(preview)  # where it belongs, it imports
    assert GridRating.objects.get().period == q1


def test_the_parsed_preview_is_kept_and_not_read_again_until_asked(client_for, roster, q1):
    client = client_for("street")
    preview = _upload(client, f"/assessments/periods/{q1.pk}/ratings/import/", _ratings(roster))
    first = client.get(preview).content.decode()
    assert 'id="count-creates">1<' in first
    pending = PendingImport.objects.get()
    assert pending.preview  # kept beside the upload
    # The stored workbook is replaced behind the page's back: the kept preview is still what is shown...
    PendingImport.objects.filter(pk=pending.pk).update(
        content=workbook(["网格编码", "考核等次"], [["无此网格", "合格"]])
    )
    assert 'id="count-creates">1<' in client.get(preview).content.decode()
    # ...until the user asks for a fresh one, and confirming always reads the upload itself again.
    assert "无此网格" in client.get(preview + "?refresh=1").content.decode()
    response = client.post(preview, follow=True)
    assert "导入未执行" in response.content.decode()
    assert not GridRating.objects.exists()


def test_a_confirm_does_not_parse_the_workbook_the_preview_parsed(client_for, roster, q1, monkeypatch):
    from core import import_plan

    client = client_for("street")
    preview = _upload(client, f"/assessments/periods/{q1.pk}/ratings/import/", _ratings(roster))
    client.get(preview)
    opened = []
    real = import_plan.open_workbook
    monkeypatch.setattr(import_plan, "open_workbook", lambda data: opened.append(1) or real(data))
    client.post(preview)
    assert GridRating.objects.get().grid == roster["a"]["level3"]
    assert opened == []  # the parse kept by the preview served the confirm
