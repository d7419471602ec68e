"""The daily alert job in django-celery-beat's database schedule: 02:00 Asia/Shanghai."""
from django.db import migrations
from django.utils import timezone

TASK_NAME = "每日计算发展党员提醒与失联"
TASK = "members.tasks.compute_alerts"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": TASK, "crontab": crontab, "interval": None, "kwargs": "{}", "args": "[]",
                  "enabled": True,
                  "description": "标记超过规定期限未联系的发展档案为失联，并重新计算到期、逾期提醒。"})
    # Tell a running beat that its schedule changed (what the model's signals do).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_seed_rules_and_holidays"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
