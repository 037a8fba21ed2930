import html
import io

from openpyxl import Workbook, load_workbook

from assessments.entries import RatingInput
from assessments.models import Rating
from assessments.services.periods import lock_period
from assessments.services.ratings import save_ratings
from grids.models import Grid


def rating_rows(rows: dict, **extra) -> dict:
    """The rating page's POST data: a formset row per grid, as the page sends it.

    `rows` maps a grid (or its id) to its rating, or to a dict of rating/score/remark; `extra` adds
    fields beside the formset (bulk_rating)."""
    data = {"row-TOTAL_FORMS": str(len(rows)), "row-INITIAL_FORMS": str(len(rows))}
    for index, (grid, row) in enumerate(rows.items()):
        row = {"rating": row} if isinstance(row, str) else row
        data[f"row-{index}-grid"] = str(getattr(grid, "pk", grid))
        for key in ("rating", "score", "remark"):
            if key in row:
                data[f"row-{index}-{key}"] = row[key]
    return data | extra


def workbook(headers, rows, *, title_rows=()) -> bytes:
    book = Workbook()
    ws = book.active
    for row in title_rows:
        ws.append(row)
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def preview_page(client, url: str, data: bytes, filename: str = "导入.xlsx") -> tuple[str, str]:
    """Upload a workbook on an import page; return the preview's URL and its text (entities unescaped)."""
    file = io.BytesIO(data)
    file.name = filename
    response = client.post(url, {"file": file})
    assert response.status_code == 302, response.content.decode()[:500]
    preview = response["Location"]
    return preview, html.unescape(client.get(preview).content.decode())


def merged_down(data: bytes, *ranges: str) -> bytes:
    """The workbook with cells merged over several rows, as a street merges a community over its grids."""
    book = load_workbook(io.BytesIO(data))
    for cells in ranges:
        book.active.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def lock_q1(users, q1):
    """Rate every staffable grid qualified and lock the quarter, as the centre does."""
    grids = Grid.objects.active().staffable()
    save_ratings(
        user=users["center"], period=q1, entries=[RatingInput(g.pk, Rating.QUALIFIED) for g in grids]
    )
    lock_period(user=users["center"], period=q1)
