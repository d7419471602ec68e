"""Cheaper recompute reads and writes (tests/benchmarks/bench_recompute.py): no index on
the allocations' plan column (the (plan, party_org) unique index serves it), none on the
history rows' foreign keys (history is read per allocation), a small partial index of the
allocations with seats used or reserved, and on PostgreSQL half-full allocation pages, so
that a recompute updating every row keeps each new row version on its page (a HOT
update) instead of inserting into every index."""
import django.db.models.deletion
from django.db import migrations, models

# Percent of a page new allocation rows fill; the rest takes the next version of each row.
FILLFACTOR = 45


def _allocation_table(apps, schema_editor):
    model = apps.get_model("quotas", "QuotaAllocation")
    return schema_editor.connection.ops.quote_name(model._meta.db_table)


def leave_room_for_updates(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {_allocation_table(apps, schema_editor)} SET (fillfactor = {FILLFACTOR})")


def fill_pages_again(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {_allocation_table(apps, schema_editor)} RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0001_initial'),
        ('quotas', '0002_beat_schedule'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalquotaallocation',
            name='area',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organizations.area', verbose_name='乡镇（街道）'),
        ),
        migrations.AlterField(
            model_name='historicalquotaallocation',
            name='party_org',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organizations.partyorganization', verbose_name='党组织'),
        ),
        migrations.AlterField(
            model_name='historicalquotaallocation',
            name='plan',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='quotas.quotaplan'),
        ),
        migrations.AlterField(
            model_name='quotaallocation',
            name='plan',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='allocations', to='quotas.quotaplan'),
        ),
        migrations.AddIndex(
            model_name='quotaallocation',
            index=models.Index(condition=models.Q(('used__gt', 0), ('reserved__gt', 0), _connector='OR'), fields=['plan'], name='allocation_seats_in_use'),
        ),
        migrations.RunPython(leave_room_for_updates, fill_pages_again),
    ]
