"""Names are kept without the spaces people put inside them to line names up (王　芳 is 王芳), so
that a search finds a member however the name was spaced. Going back leaves the names as they
are: the spaces carried no meaning."""

from django.db import migrations
from django.db.models import Q

SPACES = (" ", "\u3000", "\xa0", "\t", "\n", "\r")


def forwards(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    spaced = Q()
    for space in SPACES:
        spaced |= Q(name__contains=space)
    changed = []
    for member in Member.objects.filter(spaced).only("id", "name").iterator(chunk_size=2000):
        member.name = "".join(member.name.split())
        changed.append(member)
        if len(changed) == 2000:
            Member.objects.bulk_update(changed, ["name"])
            changed = []
    Member.objects.bulk_update(changed, ["name"])


class Migration(migrations.Migration):
    dependencies = [("members", "0004_date_precision")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
