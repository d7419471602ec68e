"""Rule-set data files and the holiday table's seed, loaded by data migrations."""
import json
from pathlib import Path

import chinese_calendar

DIRECTORY = Path(__file__).resolve().parent

HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def load(code: str) -> dict:
    return json.loads((DIRECTORY / f"{code}.json").read_text(encoding="utf-8"))


def official_days():
    """(date, is_workday, name) for every day the official schedule moves away from
    Monday–Friday, for the years the chinese-calendar package knows."""
    for day, name in sorted(chinese_calendar.holidays.items()):
        if day.weekday() < 5:
            yield day, False, HOLIDAY_NAMES.get(name, name)
    for day, name in sorted(chinese_calendar.workdays.items()):
        if day.weekday() >= 5:
            yield day, True, f"{HOLIDAY_NAMES.get(name, name)}调休上班"
