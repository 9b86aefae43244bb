"""0004 created the kept file states empty: the members whose scans were stored before it counted
as incomplete on every roll-up until someone ran `manage.py files_refresh`. Fill them, as
services.file_states_refresh does, from the scans and the checklist's required entries."""

from django.db import migrations
from django.db.models import Count, Q


def fill(apps, schema_editor):
    ChecklistItem = apps.get_model("dossiers", "ChecklistItem")
    Scan = apps.get_model("dossiers", "Scan")
    FileState = apps.get_model("dossiers", "FileState")
    required = list(ChecklistItem.objects.filter(required=True).values_list("id", "full_only"))
    need_full = {pk for pk, _ in required}
    need_probationary = {pk for pk, full_only in required if not full_only}  # no 转正 materials yet
    counted = (
        Scan.objects.order_by()
        .values_list("member_id")
        .annotate(
            full=Count("item_id", distinct=True, filter=Q(item_id__in=need_full)),
            probationary=Count("item_id", distinct=True, filter=Q(item_id__in=need_probationary)),
        )
    )
    states = [
        FileState(member_id=member_id, full_ok=full >= len(need_full),
                  probationary_ok=probationary >= len(need_probationary))
        for member_id, full, probationary in counted.iterator(chunk_size=5000)
    ]  # fmt: skip
    FileState.objects.bulk_create(states, batch_size=5000, update_conflicts=True, unique_fields=["member"],
                                  update_fields=["full_ok", "probationary_ok"])  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_file_state")]

    # the states are derived: going back leaves them, as files_refresh would
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
