"""The seeded item about members' files is read from the platform: dossiers.files_complete against
100 (standards 0007); a branch whose present members' files are all complete gets its points."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzhi.dossiers.models import ChecklistItem
from shuzhi.dossiers.services import scans_upload
from shuzhi.members.models import Member
from shuzhi.standards.models import Item, Rating, Standard
from shuzhi.standards.services import ratings_compute

pytestmark = pytest.mark.django_db

TITLE = "党员档案齐全准确（档案目录必备材料齐全率 100%）"


def test_every_seeded_standard_reads_the_files_item_from_the_members_files():
    items = Item.objects.filter(title=TITLE)
    assert items.count() == Standard.objects.count() == 10
    for found in items:
        assert (found.evidence, found.fact_key, found.threshold, found.points) == (
            "computed", "dossiers.files_complete", Decimal(100), 5)  # fmt: skip
        found.full_clean()  # a registered score source
    assert not Item.objects.filter(title="党员档案、组织关系台账齐全准确").exists()


def test_the_branch_gets_the_points_once_every_present_member_s_file_is_complete(cast):
    standard = Standard.objects.get(field="rural")
    files_item = standard.items.get(title=TITLE)
    standard.items.exclude(pk=files_item.pk).delete()

    def score() -> int:
        ratings_compute(actor=cast.county_organiser, root=cast.county_a, year=2025)
        return Rating.objects.get(organization=cast.village_a, year=2025).score

    assert score() == 0
    for member in Member.objects.filter(organization=cast.village_a).select_related("organization"):
        for entry in ChecklistItem.objects.filter(required=True):
            scans_upload(actor=cast.township_secretary, member=member, item=entry,
                         files=[SimpleUploadedFile("扫描件.pdf", b"%PDF-1.4\n%%EOF\n")])  # fmt: skip
    assert score() == 5


def test_the_migration_goes_back_and_leaves_an_item_an_organiser_has_edited():
    migration = importlib.import_module("shuzhi.standards.migrations.0007_files_item_computed")
    migration.check_by_hand(apps, None)
    assert Item.objects.filter(title=migration.SEEDED, evidence="checked", fact_key="").count() == 10
    edited = Item.objects.filter(title=migration.SEEDED).first()
    Item.objects.filter(pk=edited.pk).update(title="党员档案齐全、台账规范（实地检查）")
    migration.compute(apps, None)
    assert Item.objects.filter(title=TITLE, evidence="computed").count() == 9
    assert Item.objects.get(pk=edited.pk).evidence == "checked"
