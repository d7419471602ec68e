"""Calendar periods and working days (pure functions, no Django).

"1 year", "3 months", "half a year" in the rules are calendar periods.  Convention
(``month_end``, written into every rule set): add the months to the start date; when the
target month lacks that day (29 February + 1 year, 30 November + 3 months) take the last
day of the target month.  Ages, cultivation time, probation and deadlines all use it.
"""
import calendar
from datetime import date, timedelta


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_years(start: date, years: int) -> date:
    return add_months(start, 12 * years)


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (consistent with add_months)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


class WorkingCalendar:
    """Working days: Monday–Friday, except the listed holidays, plus the listed
    adjusted working weekends (调休).  Built from the county's holiday table."""

    def __init__(self, holidays=(), extra_workdays=()):
        self.holidays = frozenset(holidays)
        self.extra_workdays = frozenset(extra_workdays)

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def working_days(self, first: date, last: date) -> int:
        """Working days from ``first`` to ``last``, both included."""
        count, day = 0, first
        while day <= last:
            count += self.is_workday(day)
            day += timedelta(days=1)
        return count
