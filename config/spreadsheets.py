"""XLSX in and out, shared by every list export and import."""
from io import BytesIO

from django.http import HttpResponse
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from .downloads import content_attachment

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """``sheets``: (title, headers, rows) triples → the bytes of an .xlsx file."""
    book = Workbook()
    book.remove(book.active)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for index, header in enumerate(headers, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(10, len(header) * 2 + 4)
        sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: list[tuple[str, list[str], list[list]]]) -> HttpResponse:
    """An attachment download of a workbook built from ``sheets``."""
    return content_attachment(workbook_bytes(sheets), filename, XLSX_TYPE)


class UnreadableWorkbook(ValueError):
    pass


def read_rows(uploaded) -> tuple[list[str], list[tuple[int, dict]]]:
    """Headers and (row number, {header: value}) of the first sheet; blank rows skipped."""
    try:
        book = load_workbook(uploaded, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a non-xlsx file
        raise UnreadableWorkbook("无法读取文件，请上传 .xlsx 格式的 Excel 文件。") from error
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    headers = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    records = []
    for number, values in enumerate(rows, start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        records.append((number, dict(zip(headers, values))))
    book.close()
    return headers, records
