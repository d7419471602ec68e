"""The county development report: which figures it holds and how its workbook looks.

The sheets follow the development tables of the annual party statistics (党内统计年报
发展党员情况): new members by category, the pipeline, plan against actual, coverage,
and the comparison with the previous year — each a titled table with the scope and
period under the title, a 合计 row and the notes.  The workbook is written from the
figures kept on the run, so a re-download is the same file; the bytes are made
reproducible (fixed zip and document timestamps) so the same figures always give the
same SHA-256.
"""
import re
import zipfile
from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

# (figure key, sheet name, table title) in the order of the workbook and the print page.
REPORT_SHEETS = (
    ("new_members", "发展党员情况", "表一  发展党员情况（按性别、年龄、学历、职业）"),
    ("pipeline", "发展党员工作进度", "表二  入党申请人、积极分子、发展对象、预备党员情况"),
    ("plan", "计划执行情况", "表三  发展党员计划执行情况"),
    ("coverage", "组织覆盖情况", "表四  两新组织党组织覆盖情况"),
    ("unit_gaps", "党建空白单位", "表五  未建党组织、无党员和长期未发展党员的单位"),
    ("ended_early", "中止发展情况", "表六  中止发展情况（按原因）"),
    ("lost_contact", "失联情况", "表七  失联的发展对象"),
    ("year_comparison", "与上年对比", "表八  与上年同期对比"),
    ("materials", "档案材料完整度", "表九  发展党员档案材料完整度"),
)
ABOUT_SHEET = "说明"
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")


def about_rows(report: dict) -> list[tuple[str, str]]:
    p = report["parameters"]
    return [("报告名称", report["title"]), ("统计范围", p.get("scope_name", "")),
            ("统计时段", p.get("period_label", "")), ("期末数截至", p.get("as_of", "")),
            ("数据来源", p.get("source_label", "")), ("提交人", p.get("requested_by", "")),
            ("说明", "各表数字与统计页面、接口同源（reports.selectors），同一参数重新生成得到相同数字。")]


def _write_about(sheet, report: dict) -> None:
    sheet["A1"] = report["title"]
    sheet["A1"].font = Font(bold=True, size=14)
    for index, (name, value) in enumerate(about_rows(report), start=3):
        sheet.cell(row=index, column=1, value=name).font = Font(bold=True)
        sheet.cell(row=index, column=2, value=value)
    row = index + 2
    sheet.cell(row=row, column=1, value="工作表").font = Font(bold=True)
    for offset, (_, name, title) in enumerate(REPORT_SHEETS, start=1):
        sheet.cell(row=row + offset, column=1, value=name)
        sheet.cell(row=row + offset, column=2, value=title)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 70


def _write_table(sheet, title: str, figure: dict, report: dict) -> None:
    columns = figure["columns"]
    width = len(columns)
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    p = report["parameters"]
    sheet.cell(row=2, column=1, value=f"统计范围：{p.get('scope_name', '')}    统计时段：{p.get('period_label', '')}"
                                      f"    期末数截至：{p.get('as_of', '')}    数据来源：{figure.get('source', '')}")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(width, 1))
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=3, column=index, value=column["label"])
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        width = 28 if index == 1 else max(10, len(column["label"]) * 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    row_number = 3
    body = list(figure["rows"])
    if figure.get("totals"):
        body.append({**figure["totals"], columns[0]["key"]: "合计"})
    for row in body:
        row_number += 1
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=row_number, column=index, value=row.get(column["key"]))
            cell.border = BORDER
            if column["kind"] in ("percent", "decimal"):
                cell.number_format = "0.0#"
            if row is body[-1] and figure.get("totals"):
                cell.font = Font(bold=True)
    for note in figure.get("notes", []):
        row_number += 1
        sheet.cell(row=row_number + 1, column=1, value=f"注：{note}")
    sheet.freeze_panes = "B4"
    sheet.row_dimensions[3].height = 32


def workbook_bytes(report: dict) -> bytes:
    """The report's workbook from its stored figures (``report``: what ReportRun.figures holds)."""
    book = Workbook()
    about = book.active
    about.title = ABOUT_SHEET
    _write_about(about, report)
    figures = {f["key"]: f for f in report["figures"]}
    for key, name, title in REPORT_SHEETS:
        _write_table(book.create_sheet(name), title, figures[key], report)
    stamp = datetime.fromisoformat(report["parameters"]["end"] + "T00:00:00")
    book.properties.creator = "两新组织发展党员管理系统"
    book.properties.created = stamp
    buffer = BytesIO()
    book.save(buffer)
    return reproducible(buffer.getvalue(), stamp)


def reproducible(xlsx: bytes, stamp: datetime) -> bytes:
    """The same workbook bytes for the same content: fixed zip entry times and a fixed
    modification time in the document properties (openpyxl writes 'now' there)."""
    source = zipfile.ZipFile(BytesIO(xlsx))
    out = BytesIO()
    moment = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + moment.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, data)
    return out.getvalue()
