"""Report runs in the browser: start one, watch its progress (htmx), download the XLSX
(and the PDF, where one was made), open the print page, run it again.  Runs are looked
up among ``visible_to(user)``: someone else's run is a 404."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config.downloads import attachment
from config.errors import DomainError
from config.spreadsheets import XLSX_TYPE

from ..access import require_statistics
from ..forms import ReportForm
from ..models import ReportRun, RunStatus
from ..report_book import REPORT_SHEETS
from ..report_print import PDF_TYPE, print_context
from ..services import rerun_report, start_report

RUNS_SHOWN = 50


def _visible_runs(user):
    return ReportRun.objects.visible_to(user).select_related("requested_by", "snapshot")


def _run(request, pk) -> ReportRun:
    require_statistics(request.user)
    return get_object_or_404(_visible_runs(request.user), pk=pk)


def run_list(request):
    require_statistics(request.user)
    form = ReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = start_report(by=request.user, start=data["start"], end=data["end"], township=data["township"],
                               source=data["source"])
        except (DomainError, ValidationError) as error:
            form.add_error(None, getattr(error, "message", None) or error.messages)
        else:
            return redirect(run.get_absolute_url())
    return render(request, "reports/run_list.html", {
        "title": "统计报告", "form": form, "runs": _visible_runs(request.user)[:RUNS_SHOWN]})


def run_detail(request, pk):
    run = _run(request, pk)
    return render(request, "reports/run_detail.html", {"title": run.title, "run": run, "sheets": REPORT_SHEETS})


def run_progress(request, pk):
    """The progress block alone, polled by htmx while the run is queued or running."""
    return render(request, "reports/_run_progress.html", {"run": _run(request, pk)})


def _done(run: ReportRun) -> ReportRun:
    if run.status != RunStatus.DONE or not run.file:
        raise Http404("报告尚未生成。")
    return run


def run_download(request, pk):
    run = _done(_run(request, pk))
    response = attachment(run.file, f"{run.title}.xlsx", content_type=XLSX_TYPE)
    response["X-Checksum-SHA256"] = run.checksum
    return response


def run_download_pdf(request, pk):
    """The print page as PDF, when the run could make one (see ReportRun.pdf_note)."""
    run = _done(_run(request, pk))
    if not run.pdf:
        raise Http404("本报告没有PDF文件。")
    response = attachment(run.pdf, f"{run.title}.pdf", content_type=PDF_TYPE)
    response["X-Checksum-SHA256"] = run.pdf_checksum
    return response


def run_print(request, pk):
    """The print-ready page, drawn from the figures kept on the run (the PDF is this page)."""
    run = _done(_run(request, pk))
    return render(request, "reports/report_print.html", print_context(run))


@require_POST
def run_rerun(request, pk):
    run = _run(request, pk)
    try:
        new_run = rerun_report(run=run, by=request.user)
    except DomainError as error:
        messages.error(request, getattr(error, "message", None) or str(error))
        return redirect(run.get_absolute_url())
    return redirect(new_run.get_absolute_url())
