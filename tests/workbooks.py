"""Workbooks shaped like the ones a district really receives, for the importer tests.

`messy_workbook` lays rows out the way streets and the 12345 platform do: a title and a subtitle above
the table, a header over two rows with merged cells, a 序号 column, columns in the writer's own order,
a 合计 row and signatures under the table.
"""

import io
from collections.abc import Sequence

from openpyxl import Workbook, load_workbook


def messy_workbook(
    headers: Sequence[str],
    rows: Sequence[Sequence],
    *,
    title: str = "望城区网格化管理工作统计表",
    subtitle: str = "填报单位（盖章）：            填报时间：2023年4月3日",
    group: tuple[str, int, int] | None = None,
    groups: Sequence[tuple[str, int, int]] = (),
    serial: bool = True,
    footer: Sequence[Sequence] = (("合计",), ("填表人：张三", None, "审核人：李四"), ("日期：2023年4月3日",)),
    sheet: str = "Sheet1",
    extra_sheets: dict[str, list[list]] | None = None,
) -> bytes:
    """Return xlsx bytes.

    group=(text, first, last): a second header row, with `text` merged over header columns first..last
    (0-based, counted without the 序号 column); every other header cell is merged down over both rows.
    groups: several such groups (网格名称 over 三级网格 | 四级网格, 网格员 over 姓名 | 联系电话).
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
    spans = [
        (text, first + len(lead), last + len(lead))
        for text, first, last in [*([group] if group else []), *groups]
    ]
    if not spans:
        for col, text in enumerate(full, start=1):
            ws.cell(row=row, column=col, value=text)
        row += 1
    else:
        for col, header in enumerate(full):
            if any(first <= col <= last for _text, first, last in spans):
                ws.cell(row=row + 1, column=col + 1, value=header)
            else:
                ws.cell(row=row, column=col + 1, value=header)
                ws.merge_cells(start_row=row, start_column=col + 1, end_row=row + 1, end_column=col + 1)
        for text, first, last in spans:
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
    return _saved(wb)


OTHER_DISTRICTS = ("开福区", "岳麓区", "长沙县", "芙蓉区", "天心区", "雨花区", "浏阳市", "宁乡市")
TICKET_TYPES = ("投诉", "投诉", "投诉", "咨询", "建议", "求助", "表扬")
CITY_EXPORT_HEADERS = [
    "工单编号",
    "来电时间",
    "所属区县",
    "所属街镇",
    "诉求地址（村社区）",
    "诉求类型",
    "问题分类",
    "诉求内容",
    "承办单位",
]


def _time_forms(moment) -> list:
    """The same moment as the platforms write it: a real datetime and the text forms seen in exports."""
    return [
        moment,
        moment.strftime("%Y-%m-%d %H:%M:%S.0"),
        moment.strftime("%Y-%m-%dT%H:%M:%S"),
        moment.strftime("%Y%m%d%H%M%S"),
        f"{moment.year}年{moment.month}月{moment.day}日 {moment.hour}时{moment.minute}分",
        moment.strftime("%Y/%m/%d %H:%M"),
    ]


def city_hotline_rows(communities, *, start, days: int, count: int, own_share: float = 0.3, seed: int = 7):
    """Rows of a city-wide 12345 export: every district of the city, every ticket type and time form.

    communities: (street name, community name) of this district; rows of other districts reuse the same
    community names (the trap a city-wide export sets). Returns (rows, own complaint keys) where the keys
    are the (street, community) of this district's rows typed 投诉.
    """
    import datetime as dt
    import random

    rng = random.Random(seed)
    rows, own_complaints = [], []
    for n in range(count):
        street, community = communities[rng.randrange(len(communities))]
        own = rng.random() < own_share
        kind = TICKET_TYPES[rng.randrange(len(TICKET_TYPES))]
        moment = dt.datetime.combine(start, dt.time(8)) + dt.timedelta(
            days=rng.randrange(days), minutes=rng.randrange(600), seconds=rng.randrange(60)
        )
        when = _time_forms(moment)[n % 6]
        if own:
            district = "望城区"
            written = (
                community,
                f"{street}{community}村民委员会" if community.endswith("村") else f"{community}居委会",
            )[n % 2]
            if kind == "投诉":
                own_complaints.append((street, community))
        else:
            district = OTHER_DISTRICTS[n % len(OTHER_DISTRICTS)]
            street, written = "", community
        rows.append(
            [
                f"GD{start:%Y%m}{n:07d}",
                when,
                district,
                street,
                written,
                kind,
                "市容环境",
                "反映问题",
                "区城管局",
            ]
        )
    return rows, own_complaints


def renamed_codes(data: bytes, columns_by_sheet: dict[str, tuple[int, ...]], prefix: str = "9") -> bytes:
    """A workbook with every code in the given columns (1-based, under the header) prefixed (codes are
    digits), so that importing it creates rows anew."""
    workbook = load_workbook(io.BytesIO(data))
    for title, columns in columns_by_sheet.items():
        sheet = workbook[title]
        for row in sheet.iter_rows(min_row=header_row(sheet) + 1):
            for col in columns:
                cell = row[col - 1]
                if cell.value:
                    cell.value = f"{prefix}{cell.value}"
    return _saved(workbook)


def renamed_roster(data: bytes, prefix: str = "9") -> bytes:
    """An exported roster (grids.exports.roster_workbook) with every code prefixed, so that importing it
    creates all grids and staff anew, set up today: a new grid may not be dated into locked quarters."""
    workbook = load_workbook(io.BytesIO(renamed_codes(data, {"网格": (4, 6), "网格人员": (1,)}, prefix)))
    sheet = workbook["网格"]
    first = header_row(sheet)
    headers = [cell.value for cell in sheet[first]]
    for column in ("设立日期", "撤销日期"):
        index = headers.index(column)
        for row in sheet.iter_rows(min_row=first + 1):
            row[index].value = None
    return _saved(workbook)


def header_row(sheet) -> int:
    """The row number of a sheet's header: the first with more than one cell filled (a title above it is
    one cell, merged over the table)."""
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if sum(value is not None for value in values) > 1:
            return number
    return 1


def table_rows(sheet) -> list[list]:
    """A printable sheet's table as values, header first: without the title lines above it and the lines
    under it (core.xlsx_write's heading and footing, each one cell merged over the table's width)."""
    lines = {
        merged.min_row
        for merged in sheet.merged_cells.ranges
        if merged.min_row == merged.max_row and merged.min_col == 1 and merged.max_col == sheet.max_column > 1
    }
    return [
        list(values)
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        if number not in lines
    ]


def _saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
