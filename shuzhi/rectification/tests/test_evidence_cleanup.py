"""A refused multi-file upload of evidence leaves nothing behind: no milestone, no evidence row,
no file on disk, whichever file is refused and whatever fails after the files were stored."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shuzhi.rectification import services
from shuzhi.rectification.models import Evidence, Item, Milestone
from shuzhi.rectification.services import items_generate, milestone_add
from shuzhi.testing.rectification import published_cycle

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@pytest.fixture
def item(cast):
    cycle = published_cycle(cast)
    items_generate(actor=cast.county_organiser, cycle=cycle)
    return Item.objects.filter(organization=cast.township_a).order_by("id").first()


def _files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _photo(name="photo.jpg", data=JPEG):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.mark.parametrize("bad_at", [0, 1, 2])
def test_a_refused_file_among_several_leaves_no_file_and_no_row(cast, item, settings, bad_at):
    files = [_photo(f"p{i}.jpg", JPEG + bytes([i])) for i in range(3)]
    files[bad_at] = SimpleUploadedFile("tool.jpg", b"MZ\x90\x00" + b"\x00" * 64)
    with pytest.raises(ValidationError):
        milestone_add(
            actor=cast.township_secretary, item=item, on=timezone.localdate(), text="进展", files=files
        )
    assert not Milestone.objects.exists() and not Evidence.objects.exists()
    assert _files(settings) == []


def test_a_failure_after_the_files_were_stored_removes_them(cast, item, settings, monkeypatch):
    def broken(*args, **kwargs):
        raise ValidationError("记录失败", code="broken")

    monkeypatch.setattr(services, "_event", broken)
    files = [_photo("a.jpg", JPEG + b"a"), _photo("b.jpg", JPEG + b"b")]
    with pytest.raises(ValidationError):
        milestone_add(
            actor=cast.township_secretary, item=item, on=timezone.localdate(), text="进展", files=files
        )
    assert not Evidence.objects.exists()
    assert _files(settings) == []


def test_accepted_files_are_kept(cast, item, settings):
    files = [_photo("a.jpg", JPEG + b"a"), _photo("b.jpg", JPEG + b"b")]
    milestone_add(actor=cast.township_secretary, item=item, on=timezone.localdate(), text="进展", files=files)
    assert Evidence.objects.count() == 2
    assert len(_files(settings)) == 2
