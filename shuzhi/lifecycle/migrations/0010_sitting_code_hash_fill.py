from django.db import migrations

from shuzhi.core.protection import keyed_hash

PURPOSE = "lifecycle.sitting_code"  # as shuzhi.lifecycle.training.CODE_PURPOSE


def fill(apps, schema_editor):
    """Hash every code kept in clear (codes are stored upper-case, as typed codes are normalised)."""
    Sitting = apps.get_model("lifecycle", "Sitting")
    for pk, code in Sitting.objects.filter(code_hash__isnull=True).values_list("pk", "code").iterator():
        Sitting.objects.filter(pk=pk).update(code_hash=keyed_hash(code.upper(), purpose=PURPOSE))


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0009_sitting_code_hash")]

    # one way: a code cannot be recovered from its hash (0011 goes back only on an empty table)
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
