"""The presiding secretary's overall comment was stored on one reporter (and so became that unit's
rectification item). Move it to the meeting: the latest overall comment of each meeting loses its
reporter; earlier ones (one per reporter was allowed) stay on their reporter as ordinary comments,
their words unchanged, marked 主持人点评 as their portfolio."""

from django.db import migrations


def forwards(apps, schema_editor):
    Comment = apps.get_model("ballots", "Comment")
    latest = {}
    for comment in Comment.objects.filter(is_final=True).order_by("meeting_id", "created_at", "pk"):
        latest[comment.meeting_id] = comment.pk
    Comment.objects.filter(pk__in=latest.values()).update(reporter=None)
    Comment.objects.filter(is_final=True).exclude(pk__in=latest.values()).update(
        is_final=False, portfolio="主持人点评"
    )


class Migration(migrations.Migration):
    dependencies = [("ballots", "0008_comment_of_the_meeting_and_its_typist")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
