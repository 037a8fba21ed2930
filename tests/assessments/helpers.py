import io

from openpyxl import Workbook


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
