"""Report runs: start one, re-run one, and build one (the body of the Celery task).

A run computes its figures in its requester's scope (a township worker's report holds
their township only) with the same selectors as the dashboard and the API, keeps them
as JSON on the run, writes the workbook from them and records the SHA-256 of the file,
then lays the print page out as a PDF where WeasyPrint is installed (reports.report_print).
The same parameters on the same data give the same figures and the same workbook.
"""
import hashlib
import time
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from config.errors import DomainError

from . import tasks  # a module import: tasks imports this module too
from .access import may_view_statistics, resolve_township
from .figures import Period
from .models import DataSource, ReportRun, RunStatus, StatisticsSnapshot
from .report_book import REPORT_SHEETS, workbook_bytes
from .report_print import build_pdf
from .selectors import build_figure, make_scope


class ReportError(DomainError):
    code = "report_refused"
    status = 400


def require_may_build(user) -> None:
    if not may_view_statistics(user):
        raise PermissionDenied("您的角色不能生成统计报告。")


def _snapshot_for(period: Period) -> StatisticsSnapshot:
    """A report from a snapshot: the snapshot at the end of a year-to-date period."""
    if period.start != date(period.end.year, 1, 1):
        raise ReportError("按快照生成时，统计时段须从1月1日开始（快照保存的是本年累计数）。", code="snapshot_period")
    snapshot = StatisticsSnapshot.objects.filter(as_of=period.end).first()
    if snapshot is None:
        raise ReportError(f"没有截至{period.end:%Y年%m月%d日}的月度快照，请改用实时数据或选择月末日期。",
                          code="snapshot_missing", as_of=period.end.isoformat())
    return snapshot


def start_report(*, by, start: date, end: date, township=None, source: str = DataSource.LIVE,
                 rerun_of: ReportRun | None = None) -> ReportRun:
    """Record the run and queue its build once the transaction commits."""
    require_may_build(by)
    if end < start:
        raise ReportError("结束日期不能早于开始日期。", code="period_invalid")
    if source not in DataSource.values:
        raise ReportError("数据来源无效。", code="source_invalid")
    period = Period(start, end)
    if township is not None:
        township = resolve_township(by, township.pk)
    snapshot = _snapshot_for(period) if source == DataSource.SNAPSHOT else None
    where = township.name if township is not None else ("全县" if by.sees_whole_county else "本乡镇（街道）")
    run = ReportRun.objects.create(
        title=f"{where}{period.label}发展党员工作统计报告", source=source, snapshot=snapshot, requested_by=by,
        rerun_of=rerun_of,
        parameters={"start": start.isoformat(), "end": end.isoformat(),
                    "township": township.pk if township is not None else None, "source": source})
    transaction.on_commit(lambda: tasks.build_report.delay(run_id=run.pk))
    return run


def rerun_report(*, run: ReportRun, by) -> ReportRun:
    """The same parameters again (a fresh run; the old one stays as it was)."""
    p = run.parameters
    township = resolve_township(by, p["township"]) if p.get("township") else None
    return start_report(by=by, start=date.fromisoformat(p["start"]), end=date.fromisoformat(p["end"]),
                        township=township, source=p.get("source", DataSource.LIVE), rerun_of=run)


def compute_report(*, user, start: date, end: date, township=None, snapshot=None, today: date | None = None,
                   progress=lambda percent, stage: None) -> dict:
    """Every figure of the report, as the JSON kept on the run (no timestamps in it)."""
    scope = make_scope(user=user, start=start, end=end, township=township, snapshot=snapshot, today=today)
    figures = []
    for index, (key, _, title) in enumerate(REPORT_SHEETS):
        progress(5 + 80 * index // len(REPORT_SHEETS), f"计算：{title.split('  ')[-1]}")
        figures.append(build_figure(key, scope).as_dict())
    where = township.name if township is not None else ("全县" if user.sees_whole_county else "本乡镇（街道）")
    return {
        "title": f"{where}{scope.period.label}发展党员工作统计报告",
        "parameters": {"start": start.isoformat(), "end": end.isoformat(), "as_of": scope.as_of.isoformat(),
                       "scope_name": where, "period_label": scope.period.label,
                       "source_label": f"{snapshot.as_of:%Y年%m月%d日}月度快照" if snapshot else "实时数据",
                       "requested_by": str(user)},
        "figures": figures,
    }


def run_report(*, run: ReportRun, today: date | None = None) -> ReportRun:
    """Body of the Celery task.  Only a queued run is taken (a redelivered task for a run
    already running or done does nothing)."""
    taken = ReportRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=1, stage="开始")
    if not taken:
        return ReportRun.objects.get(pk=run.pk)
    run = ReportRun.objects.select_related("requested_by", "snapshot").get(pk=run.pk)
    timings, started = {}, time.perf_counter()

    def progress(percent: int, stage: str) -> None:
        ReportRun.objects.filter(pk=run.pk).update(progress=percent, stage=stage[:100])

    try:
        user = run.requested_by
        if user is None or not may_view_statistics(user):
            raise ReportError("提交人账号已不存在或已无查看统计的权限。", code="requester_gone")
        p = run.parameters
        try:
            township = resolve_township(user, p["township"]) if p.get("township") else None
        except Http404:
            raise ReportError("所选乡镇（街道）已不在提交人的统计范围内。", code="township_gone")
        report = compute_report(user=user, start=date.fromisoformat(p["start"]), end=date.fromisoformat(p["end"]),
                                township=township, snapshot=run.snapshot, today=today, progress=progress)
        timings["figures"] = round(time.perf_counter() - started, 3)
        progress(90, "写入工作簿")
        mark = time.perf_counter()
        content = workbook_bytes(report)
        timings["workbook"] = round(time.perf_counter() - mark, 3)
        mark = time.perf_counter()
        run.file.save(f"report-{run.pk}.xlsx", ContentFile(content), save=False)
        timings["save"] = round(time.perf_counter() - mark, 3)
        progress(95, "排版PDF")
        mark = time.perf_counter()
        run.figures, run.checksum = report, hashlib.sha256(content).hexdigest()
        pdf = build_pdf(run)       # the print page as PDF, or why there is none (never raises)
        if pdf.content is not None:
            run.pdf.save(f"report-{run.pk}.pdf", ContentFile(pdf.content), save=False)
        timings["pdf"] = round(time.perf_counter() - mark, 3)
        timings["total"] = round(time.perf_counter() - started, 3)
        ReportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, progress=100, stage="完成", finished_at=timezone.now(), figures=report,
            file=run.file.name, checksum=run.checksum, timings=timings, title=report["title"],
            pdf=run.pdf.name if pdf.content is not None else "", pdf_note=pdf.note,
            pdf_checksum=hashlib.sha256(pdf.content).hexdigest() if pdf.content is not None else "")
    except Exception as error:  # recorded for the user; unexpected ones re-raised for the worker's log
        message = getattr(error, "message", None) or f"生成出错：{error}"
        ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now(),
                                                   error=str(message), stage="失败", timings=timings)
        if not isinstance(error, DomainError):
            raise
    return ReportRun.objects.get(pk=run.pk)
