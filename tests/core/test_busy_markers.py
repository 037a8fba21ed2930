"""Work that can take over a second is marked for static/js/busy.js: the page shows it is under way and
the form or download cannot be started twice."""

import re

from django.conf import settings


def _marked_forms(page: str) -> list[str]:
    return re.findall(r'<form method="post" data-busy action="([^"]+)"', page)


def test_every_page_loads_the_busy_script(client_for, roster):
    page = client_for("center").get("/grids/").content.decode()
    assert '<script src="/static/js/busy.js"></script>' in page
    script = (settings.BASE_DIR / "static" / "js" / "busy.js").read_text()
    assert "处理中…" in script and "spinner-border" in script


def test_generating_a_batch_is_marked_busy(client_for, locked_q1):
    page = client_for("center").get("/funds/batches/").content.decode()
    assert "/funds/batches/generate/" in _marked_forms(page)


def test_locking_a_quarter_is_marked_busy(client_for, q1, roster):
    page = client_for("center").get(f"/assessments/periods/{q1.pk}/").content.decode()
    assert f"/assessments/periods/{q1.pk}/lock/" in _marked_forms(page)


def test_the_roster_export_starts_a_background_job_instead_of_a_busy_download(client_for, roster):
    page = client_for("center").get("/grids/list/").content.decode()
    assert re.search(
        r'<form method="post" action="/grids/export/\?list=grids&amp;">.*?'
        r'<button type="submit" class="nav-link" id="roster-export">',
        page,
    )


def test_an_import_upload_is_marked_busy(client_for, roster):
    page = client_for("center").get("/grids/import/").content.decode()
    assert 'type="submit" data-busy="正在检查…"' in page
