"""Meetings set up before a voter class pointed at its scheme class counted a class under a
weighted one when the names were the same; keep exactly that, so that their results computed again
do not change. Every other class stays pooled (blank), as it was."""

from django.db import migrations


def forwards(apps, schema_editor):
    VoterClass = apps.get_model("ballots", "VoterClass")
    for voter_class in VoterClass.objects.select_related("meeting__cycle").filter(scheme_class=""):
        scheme = voter_class.meeting.cycle.scheme or {}
        named = {name for name in (scheme.get("class_weights") or {}) if name != "*"}
        named.add(scheme.get("committee_class") or "*")
        if voter_class.name in named:
            VoterClass.objects.filter(pk=voter_class.pk).update(scheme_class=voter_class.name)


class Migration(migrations.Migration):
    dependencies = [("ballots", "0005_voter_class_scheme_class"), ("cycles", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
