"""The nightly recompute of draft plans in django-celery-beat's database schedule:
01:30 Asia/Shanghai, before the members' alert job at 02:00, so a draft plan is in
step with the day's demand when the county opens it in the morning."""
from django.db import migrations
from django.utils import timezone

TASK_NAME = "每晚重新计算草拟的发展党员计划"
TASK = "quotas.tasks.recompute_draft_plans"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": TASK, "crontab": crontab, "interval": None, "kwargs": "{}", "args": "[]",
                  "enabled": True,
                  "description": "按当天的发展需求重新计算所有草拟状态计划的名额分配（已下达的计划不自动计算）。"})
    # Tell a running beat that its schedule changed (what the model's signals do).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quotas", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
