"""The seeded item about members' files (党员档案、组织关系台账齐全准确, 5 points, checked by hand)
is read from the platform now that members' files are kept in it: the fact source
dossiers.files_complete (the share of present members whose file holds every required entry)
against 100. Only items still as seeded are changed; one an organiser has edited is left."""

from decimal import Decimal

from django.db import migrations

SEEDED = "党员档案、组织关系台账齐全准确"
COMPUTED = "党员档案齐全准确（档案目录必备材料齐全率 100%）"
FACT = "dossiers.files_complete"


def compute(apps, schema_editor):
    Item = apps.get_model("standards", "Item")
    Item.objects.filter(title=SEEDED, evidence="checked", fact_key="").update(
        title=COMPUTED, evidence="computed", fact_key=FACT, threshold=Decimal(100)
    )


def check_by_hand(apps, schema_editor):
    Item = apps.get_model("standards", "Item")
    Item.objects.filter(title=COMPUTED, evidence="computed", fact_key=FACT).update(
        title=SEEDED, evidence="checked", fact_key="", threshold=None
    )


class Migration(migrations.Migration):
    dependencies = [("standards", "0006_seed_followup_period"), ("dossiers", "0005_fill_file_states")]
    operations = [migrations.RunPython(compute, check_by_hand)]
