"""What a statistics figure is, wherever it is shown.

A :class:`Figure` is the one shape the dashboard (chart + table), the XLSX download,
the API and the county report all read: columns, rows (one per township, party
organization, unit or category), a totals row, chart hints and notes.  The selectors
in :mod:`reports.selectors` build every figure; nothing else computes a number.
"""
from dataclasses import asdict, dataclass, field
from datetime import date

from django.utils import timezone

# Grains of the rows of a figure: the drill-down goes county → township → unit.
TOWNSHIP, PARTY_ORG, UNIT, COMMUNITY, INSTRUCTOR, PARTY_WORKER, CATEGORY, INDICATOR, MONTH = (
    "township", "party_org", "unit", "community", "instructor", "party_worker", "category", "indicator", "month")
GRAIN_LABELS = {TOWNSHIP: "乡镇（街道）", PARTY_ORG: "党组织", UNIT: "单位", COMMUNITY: "村（社区）",
                INSTRUCTOR: "党建指导员", PARTY_WORKER: "党务工作者", CATEGORY: "类别", INDICATOR: "指标",
                MONTH: "月份"}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"        # int | decimal | percent | text

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Figure:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    totals: dict | None = None
    charts: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    grain: str = TOWNSHIP
    source: str = "实时数据"
    filters: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"key": self.key, "title": self.title, "grain": self.grain, "source": self.source,
                "filters": self.filters, "columns": [c.as_dict() for c in self.columns],
                "rows": self.rows, "totals": self.totals, "charts": self.charts, "notes": self.notes}

    @classmethod
    def from_dict(cls, data: dict) -> "Figure":
        return cls(key=data["key"], title=data["title"], columns=[Column(**c) for c in data["columns"]],
                   rows=data["rows"], totals=data["totals"], charts=data["charts"], notes=data["notes"],
                   grain=data["grain"], source=data["source"], filters=data["filters"])

    def table(self) -> tuple[list[str], list[list]]:
        """Headers and cell values (totals last, labelled 合计) — for XLSX and print."""
        headers = [c.label for c in self.columns]
        body = [[row.get(c.key) for c in self.columns] for row in self.rows]
        if self.totals:
            body.append([self.totals.get(c.key) if i else "合计" for i, c in enumerate(self.columns)])
        return headers, body


@dataclass(frozen=True)
class Period:
    """A statistics period, both days included; flows count events inside it, stocks
    are read at its end (or today, if the period has not ended)."""

    start: date
    end: date

    @classmethod
    def for_year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))

    @property
    def year(self) -> int:
        return self.end.year

    @property
    def is_calendar_year(self) -> bool:
        return self.start == date(self.end.year, 1, 1) and self.end == date(self.end.year, 12, 31)

    def previous(self) -> "Period":
        """The same span one year earlier (29 February falls back to the 28th)."""
        return Period(_year_earlier(self.start), _year_earlier(self.end))

    def as_of(self, today: date) -> date:
        return min(self.end, today)

    @property
    def label(self) -> str:
        if self.is_calendar_year:
            return f"{self.year}年"
        return f"{self.start:%Y年%m月%d日}至{self.end:%Y年%m月%d日}"


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def resolve_period(*, year: int | None = None, start: date | None = None, end: date | None = None) -> Period:
    if start or end:
        if not (start and end):
            raise ValueError("起止日期须同时填写。")
        if end < start:
            raise ValueError("结束日期不能早于开始日期。")
        return Period(start, end)
    return Period.for_year(year or timezone.localdate().year)


def percent(numerator, denominator, digits: int = 1):
    """``numerator / denominator`` in percent, ``None`` when there is nothing to divide by."""
    if not denominator:
        return None
    return round(100 * numerator / denominator, digits)


def ratio(numerator, denominator, digits: int = 2):
    if not denominator:
        return None
    return round(numerator / denominator, digits)
