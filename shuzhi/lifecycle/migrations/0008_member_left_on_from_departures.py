from django.db import migrations
from django.db.models import Count, Q, Sum

STEPLEN = 4  # treebeard's default step length, which the organisation tree uses


def _recount(apps, org_ids, *, leave_out_departed):
    """Direct counters of these organisations, then the subtree totals of them and all above."""
    Member = apps.get_model("members", "Member")
    Organization = apps.get_model("orgs", "Organization")
    present = Q(left_on__isnull=True) if leave_out_departed else Q()
    paths = set()
    for org in Organization.objects.filter(pk__in=org_ids):
        counts = Member.objects.filter(present, organization_id=org.pk).aggregate(
            n=Count("id"), p=Count("id", filter=Q(status="probationary"))
        )
        Organization.objects.filter(pk=org.pk).update(
            member_count=counts["n"], probationary_count=counts["p"]
        )
        paths.update(org.path[:end] for end in range(STEPLEN, len(org.path) + 1, STEPLEN))
    for org in Organization.objects.filter(path__in=paths):
        sums = Organization.objects.filter(path__startswith=org.path).aggregate(
            members=Sum("member_count"), probationary=Sum("probationary_count")
        )
        Organization.objects.filter(pk=org.pk).update(
            total_members=sums["members"] or 0, total_probationary=sums["probationary"] or 0
        )


def fill(apps, schema_editor):
    """Copy each departure's date onto its member, then recount the organisations they are in."""
    Departure = apps.get_model("lifecycle", "Departure")
    Member = apps.get_model("members", "Member")
    org_ids = set()
    for member_id, left_on in Departure.objects.values_list("member_id", "left_on").iterator():
        Member.objects.filter(pk=member_id).update(left_on=left_on)
        org_ids.add(Member.objects.filter(pk=member_id).values_list("organization_id", flat=True).get())
    _recount(apps, org_ids, leave_out_departed=True)


def empty(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    org_ids = set(Member.objects.filter(left_on__isnull=False).values_list("organization_id", flat=True))
    Member.objects.filter(left_on__isnull=False).update(left_on=None)
    _recount(apps, org_ids, leave_out_departed=False)


class Migration(migrations.Migration):
    dependencies = [
        ("lifecycle", "0007_training_needs_test"),
        ("members", "0007_member_left_on"),
        ("orgs", "0002_tree_indexes_and_totals"),
    ]

    operations = [migrations.RunPython(fill, empty)]
