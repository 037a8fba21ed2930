"""Workbooks shaped like the ones a district really receives, for the importer tests.

`messy_workbook` lays rows out the way streets and the 12345 platform do: a title and a subtitle above
the table, a header over two rows with merged cells, a 序号 column, columns in the writer's own order,
a 合计 row and signatures under the table.
"""

import io
from collections.abc import Sequence

from openpyxl import Workbook


def messy_workbook(
    headers: Sequence[str],
    rows: Sequence[Sequence],
    *,
    title: str = "望城区网格化管理工作统计表",
    subtitle: str = "填报单位（盖章）：            填报时间：2023年4月3日",
    group: tuple[str, int, int] | None = None,
    serial: bool = True,
    footer: Sequence[Sequence] = (("合计",), ("填表人：张三", None, "审核人：李四"), ("日期：2023年4月3日",)),
    sheet: str = "Sheet1",
    extra_sheets: dict[str, list[list]] | None = None,
) -> bytes:
    """Return xlsx bytes.

    group=(text, first, last): a second header row, with `text` merged over header columns first..last
    (0-based, counted without the 序号 column); every other header cell is merged down over both rows.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    lead = ["序号"] if serial else []
    width = len(lead) + len(headers)
    row = 1
    for text in (title, subtitle):
        if text:
            ws.cell(row=row, column=1, value=text)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            row += 1
    full = [*lead, *headers]
    if group is None:
        for col, text in enumerate(full, start=1):
            ws.cell(row=row, column=col, value=text)
        row += 1
    else:
        text, first, last = group
        first, last = first + len(lead), last + len(lead)
        for col, header in enumerate(full):
            if first <= col <= last:
                ws.cell(row=row + 1, column=col + 1, value=header)
            else:
                ws.cell(row=row, column=col + 1, value=header)
                ws.merge_cells(start_row=row, start_column=col + 1, end_row=row + 1, end_column=col + 1)
        ws.cell(row=row, column=first + 1, value=text)
        ws.merge_cells(start_row=row, start_column=first + 1, end_row=row, end_column=last + 1)
        row += 2
    for number, values in enumerate(rows, start=1):
        for col, value in enumerate([*([number] if serial else []), *values], start=1):
            ws.cell(row=row, column=col, value=value)
        row += 1
    for values in footer:
        for col, value in enumerate(values, start=1):
            ws.cell(row=row, column=col, value=value)
        row += 1
    for name, sheet_rows in (extra_sheets or {}).items():
        other = wb.create_sheet(name)
        for values in sheet_rows:
            other.append(values)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
