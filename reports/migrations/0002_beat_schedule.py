"""The monthly snapshot job in django-celery-beat's database schedule: 01:30 Asia/Shanghai
on the 1st of every month, before the daily alert job (02:00), so the alerts it reads
are those computed on the month's last day."""
from django.db import migrations
from django.utils import timezone

TASK_NAME = "每月1日生成上月末统计快照"
TASK = "reports.tasks.take_monthly_snapshot"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="1", day_of_week="*", day_of_month="1", month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": TASK, "crontab": crontab, "interval": None, "kwargs": "{}", "args": "[]", "enabled": True,
                  "description": "保存上月末的全县统计数（按乡镇、单位类别），供上年同期对比、趋势和按快照生成报告使用。"})
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
