"""Calendar periods and working days (members.periods), with the real holiday schedule.

Convention (``month_end``, stated in the rule set): add the months; when the target
month lacks the day, take its last day.  Working days come from the holiday table
(seeded from chinese-calendar), not from weekdays alone.
"""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from members import rulesets
from members.facts_loader import working_calendar
from members.models import HolidayDay
from members.periods import WorkingCalendar, add_months, add_years, months_between

DATES = st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31))


@pytest.mark.parametrize("start,months,expected", [
    (date(2024, 2, 29), 12, date(2025, 2, 28)),     # 29 Feb + 1 year → 28 Feb
    (date(2024, 2, 29), 48, date(2028, 2, 29)),     # … but 29 Feb in the next leap year
    (date(2023, 11, 30), 3, date(2024, 2, 29)),     # 30 Nov + 3 months, leap year
    (date(2024, 11, 30), 3, date(2025, 2, 28)),     # 30 Nov + 3 months, common year
    (date(2024, 8, 31), 6, date(2025, 2, 28)),      # 31 Aug + 6 months
    (date(2023, 8, 31), 6, date(2024, 2, 29)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2024, 3, 31), 1, date(2024, 4, 30)),
    (date(2024, 2, 28), 12, date(2025, 2, 28)),     # the 28th stays the 28th
    (date(2024, 12, 15), 1, date(2025, 1, 15)),     # over the year end
    (date(2024, 6, 3), 12, date(2025, 6, 3)),
    (date(2024, 6, 3), 18, date(2025, 12, 3)),
    (date(2024, 3, 15), -3, date(2023, 12, 15)),    # backwards over the year start
    (date(2024, 5, 31), -3, date(2024, 2, 29)),
    (date(2024, 5, 31), 0, date(2024, 5, 31)),
])
def test_add_months_takes_the_last_day_when_the_target_month_lacks_it(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize("start,years,expected", [
    (date(2024, 2, 29), 1, date(2025, 2, 28)),
    (date(2000, 2, 29), 18, date(2018, 2, 28)),     # an 18th birthday of somebody born on 29 Feb
    (date(2000, 2, 29), 4, date(2004, 2, 29)),
    (date(2005, 6, 15), 18, date(2023, 6, 15)),
    (date(2023, 3, 1), 1, date(2024, 3, 1)),
])
def test_add_years_is_twelve_months(start, years, expected):
    assert add_years(start, years) == expected


@pytest.mark.parametrize("start,end,expected", [
    (date(2024, 6, 3), date(2024, 6, 3), 0),
    (date(2024, 6, 3), date(2025, 6, 2), 11),       # the day before the anniversary
    (date(2024, 6, 3), date(2025, 6, 3), 12),       # the anniversary
    (date(2024, 6, 3), date(2025, 6, 4), 12),
    (date(2024, 2, 29), date(2025, 2, 27), 11),
    (date(2024, 2, 29), date(2025, 2, 28), 12),     # consistent with add_months
    (date(2024, 1, 31), date(2024, 2, 28), 0),
    (date(2024, 1, 31), date(2024, 2, 29), 1),
    (date(2023, 11, 30), date(2024, 2, 28), 2),
    (date(2023, 11, 30), date(2024, 2, 29), 3),
    (date(2024, 8, 31), date(2025, 2, 28), 6),
])
def test_months_between_counts_whole_calendar_months(start, end, expected):
    assert months_between(start, end) == expected


@given(start=DATES, months=st.integers(min_value=0, max_value=600))
def test_months_between_inverts_add_months(start, months):
    assert months_between(start, add_months(start, months)) == months


@given(start=DATES, end=DATES)
def test_months_between_brackets_the_end_date(start, end):
    if end < start:
        start, end = end, start
    months = months_between(start, end)
    assert months >= 0
    assert add_months(start, months) <= end < add_months(start, months + 1)


@given(start=DATES, months=st.integers(min_value=-600, max_value=600))
def test_add_months_keeps_the_day_or_takes_the_month_end(start, months):
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    if result.day != start.day:
        assert result.day < start.day and (result + timedelta(days=1)).day == 1


@given(first=DATES, second=DATES, months=st.integers(min_value=0, max_value=240))
def test_add_months_never_reorders_dates(first, second, months):
    if second < first:
        first, second = second, first
    assert add_months(first, months) <= add_months(second, months)
    assert add_months(first, months) <= add_months(first, months + 1)


# ---- working days ----------------------------------------------------------------------

def test_plain_calendar_counts_monday_to_friday_both_ends_included():
    calendar = WorkingCalendar()
    assert calendar.working_days(date(2023, 3, 6), date(2023, 3, 10)) == 5      # Mon–Fri
    assert calendar.working_days(date(2023, 3, 6), date(2023, 3, 12)) == 5      # + a weekend
    assert calendar.working_days(date(2023, 3, 11), date(2023, 3, 12)) == 0
    assert calendar.working_days(date(2023, 3, 8), date(2023, 3, 8)) == 1
    assert calendar.working_days(date(2023, 3, 10), date(2023, 3, 9)) == 0      # empty span


def test_listed_holidays_and_adjusted_weekends_override_the_weekday():
    calendar = WorkingCalendar(holidays=[date(2023, 3, 8)], extra_workdays=[date(2023, 3, 11)])
    assert not calendar.is_workday(date(2023, 3, 8))
    assert calendar.is_workday(date(2023, 3, 11))
    assert calendar.working_days(date(2023, 3, 6), date(2023, 3, 12)) == 5


OFFICIAL = list(rulesets.official_days())
OFFICIAL_CALENDAR = WorkingCalendar(holidays=[d for d, workday, _ in OFFICIAL if not workday],
                                    extra_workdays=[d for d, workday, _ in OFFICIAL if workday])

# (first, last, working days) over two real holidays.
HOLIDAY_SPANS = [
    # National Day 2025: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
    (date(2025, 9, 29), date(2025, 10, 9), 3),
    (date(2025, 9, 29), date(2025, 10, 10), 4),
    (date(2025, 9, 29), date(2025, 10, 11), 5),
    (date(2025, 9, 27), date(2025, 9, 28), 1),
    (date(2025, 10, 1), date(2025, 10, 8), 0),
    # May Day 2024: 1–5 May off, Sunday 28 April and Saturday 11 May worked.
    (date(2024, 4, 29), date(2024, 5, 7), 4),
    (date(2024, 4, 29), date(2024, 5, 8), 5),
    (date(2024, 4, 28), date(2024, 5, 6), 4),
    (date(2024, 5, 7), date(2024, 5, 10), 4),
    (date(2024, 5, 7), date(2024, 5, 11), 5),        # the adjusted Saturday counts
    (date(2024, 5, 7), date(2024, 5, 12), 5),
]


@pytest.mark.parametrize("first,last,expected", HOLIDAY_SPANS)
def test_official_schedule_working_days(first, last, expected):
    assert OFFICIAL_CALENDAR.working_days(first, last) == expected


@pytest.mark.django_db
def test_holiday_table_is_seeded_from_the_official_schedule():
    days = {d.day: d.is_workday for d in HolidayDay.objects.filter(day__range=(date(2024, 4, 1), date(2025, 10, 31)))}
    assert days[date(2025, 10, 1)] is False and days[date(2025, 10, 8)] is False
    assert days[date(2025, 9, 28)] is True and days[date(2025, 10, 11)] is True
    assert days[date(2024, 5, 1)] is False and days[date(2024, 5, 3)] is False
    assert days[date(2024, 4, 28)] is True and days[date(2024, 5, 11)] is True
    assert date(2024, 5, 4) not in days              # a Saturday off is the default, not listed


@pytest.mark.django_db
@pytest.mark.parametrize("first,last,expected", HOLIDAY_SPANS)
def test_service_calendar_built_from_the_holiday_table(first, last, expected):
    assert working_calendar(first, last).working_days(first, last) == expected
