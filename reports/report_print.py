"""The county report's print page, and the same page as a PDF.

The print page is drawn from the figures kept on the run (so it never changes after
the run); the PDF is that very page laid out by WeasyPrint, stored with the run like
the workbook.  WeasyPrint is a Python package over a system library (Pango, from the
Debian packages ``libpango-1.0-0 libpangoft2-1.0-0``; ``make setup-dev`` installs them,
with the CJK fonts).  Where either is missing — a bare ``make run`` machine — the run
still builds its workbook and print page and records in Chinese why there is no PDF.
"""
import logging
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.template.loader import render_to_string

from .report_book import REPORT_SHEETS

logger = logging.getLogger(__name__)

PDF_TYPE = "application/pdf"
NO_WEASYPRINT = "本机未安装 WeasyPrint，无法生成PDF；本次报告只有 XLSX 和打印页面（可用浏览器“打印—另存为PDF”）。"
NO_PANGO = ("本机缺少 WeasyPrint 所需的系统排版库 Pango（Debian 软件包 libpango-1.0-0、libpangoft2-1.0-0），"
            "无法生成PDF；本次报告只有 XLSX 和打印页面（可用浏览器“打印—另存为PDF”）。")


def print_context(run) -> dict:
    """What the print page shows: the run, its report data and its tables in order."""
    figures = {f["key"]: f for f in run.figures["figures"]}
    return {"run": run, "report": run.figures, "tables": [(title, figures[key]) for key, _, title in REPORT_SHEETS]}


def print_html(run) -> str:
    return render_to_string("reports/report_print.html", print_context(run))


@cache
def pdf_engine():
    """WeasyPrint's ``HTML`` class and ``""``, or ``None`` and the reason in Chinese.
    Imported on first use: the package is optional at run time, and loading it also
    loads Pango, which raises ``OSError`` when the system library is missing."""
    try:
        from weasyprint import HTML
    except ImportError:
        return None, NO_WEASYPRINT
    except OSError:
        return None, NO_PANGO
    return HTML, ""


@dataclass(frozen=True)
class PdfOutcome:
    content: bytes | None
    note: str = ""


def build_pdf(run) -> PdfOutcome:
    """The run's print page as PDF bytes (same HTML, same figures), or why there is none.
    Never raises: a PDF that cannot be made must not cost the report its workbook."""
    engine, reason = pdf_engine()
    if engine is None:
        return PdfOutcome(None, reason)
    try:
        content = engine(string=print_html(run), base_url=str(settings.BASE_DIR)).write_pdf()
    except Exception as error:  # logged for the administrators; the run keeps XLSX and HTML
        logger.exception("report run %s: PDF layout failed", run.pk)
        return PdfOutcome(None, f"PDF排版出错（{type(error).__name__}），本次报告只有 XLSX 和打印页面。")
    return PdfOutcome(content)
