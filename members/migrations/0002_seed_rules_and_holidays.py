from django.db import migrations

from members import rulesets


def seed(apps, schema_editor):
    RuleSetVersion = apps.get_model("members", "RuleSetVersion")
    HolidayDay = apps.get_model("members", "HolidayDay")
    data = rulesets.load("national-2014")
    RuleSetVersion.objects.get_or_create(code=data["code"], version=data["version"],
                                         defaults={"name": data["name"], "data": data, "is_current": True})
    HolidayDay.objects.bulk_create(
        [HolidayDay(day=day, is_workday=is_workday, name=name) for day, is_workday, name in rulesets.official_days()],
        ignore_conflicts=True)


def unseed(apps, schema_editor):
    apps.get_model("members", "HolidayDay").objects.all().delete()
    apps.get_model("members", "RuleSetVersion").objects.filter(code="national-2014", version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
