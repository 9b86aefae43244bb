"""The watch list and 整顿 until 销号: who may do what, refusals that leave nothing half-written,
an audit event and a notification where someone must act."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzhi.core.models import AuditEvent, Notification
from shuzhi.testing.records import PNG, branch_secretary
from shuzhi.weakorgs import services
from shuzhi.weakorgs.models import Entry, Progress, ProgressFile

pytestmark = pytest.mark.django_db
YEAR = date.today().year
Status = Entry.Status
PLAN = {"problems": "班子软弱，组织生活不正常", "measures": "调整班子；每月主题党日", "deadline": date(YEAR, 12, 31),
        "responsible_leader": "镇党委书记 刘强", "liaison_leader": "区委常委 陈明", "first_secretary": ""}  # fmt: skip


def _listed(cast):
    return services.entry_add(
        actor=cast.county_organiser, org=cast.village_a, year=YEAR, reason="书记空缺半年"
    )


def _worked(cast, secretary):
    entry = services.plan_set(actor=secretary, entry=_listed(cast), **PLAN)
    services.progress_add(actor=secretary, entry=entry, on=date.today(), text="召开支部党员大会补选书记",
                          files=[SimpleUploadedFile("会议照片.png", PNG)])  # fmt: skip
    return services.acceptance_request(actor=secretary, entry=entry)


def test_an_organiser_lists_an_organisation_with_a_reason_and_its_secretary_is_told(cast):
    secretary = branch_secretary(cast.village_a)
    entry = _listed(cast)
    assert entry.status == Status.LISTED and entry.reason == "书记空缺半年"
    assert AuditEvent.objects.filter(action="weakorgs.entry_add", target_id=str(entry.pk)).exists()
    assert Notification.objects.filter(recipient=secretary, link=entry.get_absolute_url()).exists()


def test_listing_needs_a_reason_an_organiser_of_the_subtree_and_happens_once_a_year(cast):
    with pytest.raises(ValidationError) as error:
        services.entry_add(actor=cast.county_organiser, org=cast.village_a, year=YEAR, reason="  ")
    assert "理由" in str(error.value)
    with pytest.raises(ValidationError):
        services.entry_add(actor=cast.outsider, org=cast.village_a, year=YEAR, reason="越权")
    with pytest.raises(ValidationError):
        services.entry_add(actor=cast.county_organiser, org=cast.township_a, year=YEAR, reason="不是基层")
    _listed(cast)
    with pytest.raises(ValidationError) as error:
        _listed(cast)
    assert "已在" in str(error.value)
    assert Entry.objects.count() == 1


def test_a_removal_needs_a_reason_and_the_organisation_may_be_listed_again(cast):
    entry = _listed(cast)
    with pytest.raises(ValidationError):
        services.entry_remove(actor=cast.county_organiser, entry=entry, reason="")
    entry = services.entry_remove(actor=cast.county_organiser, entry=entry, reason="核实后书记已到岗")
    assert entry.status == Status.REMOVED and entry.removal_reason == "核实后书记已到岗"
    again = services.entry_add(
        actor=cast.city_organiser, org=cast.village_a, year=YEAR, reason="复核后仍需整顿"
    )
    assert again.pk == entry.pk and again.status == Status.LISTED and again.removal_reason == ""


def test_the_journey_from_plan_to_acceptance_to_closing(cast):
    secretary = branch_secretary(cast.village_a)
    entry = _worked(cast, secretary)
    assert entry.status == Status.AWAITING
    assert ProgressFile.objects.get().original_name == "会议照片.png"
    entry = services.acceptance_decide(
        actor=cast.county_organiser, entry=entry, passed=True, opinion="班子健全，同意验收"
    )
    assert entry.status == Status.ACCEPTED and entry.accepted_by == cast.county_organiser
    entry = services.entry_close(actor=cast.county_organiser, entry=entry)
    assert entry.status == Status.CLOSED and entry.closed_at
    actions = list(AuditEvent.objects.filter(target_id=str(entry.pk), action__startswith="weakorgs.")
                   .order_by("seq").values_list("action", flat=True))  # fmt: skip
    assert actions == ["weakorgs.entry_add", "weakorgs.plan_set", "weakorgs.progress_add",
                       "weakorgs.acceptance_request", "weakorgs.acceptance_pass", "weakorgs.entry_close"]  # fmt: skip


def test_a_refused_acceptance_goes_back_with_its_reason_and_the_secretary_is_told(cast):
    secretary = branch_secretary(cast.village_a)
    entry = _worked(cast, secretary)
    entry = services.acceptance_decide(
        actor=cast.county_organiser, entry=entry, passed=False, opinion="党员大会记录不全"
    )
    assert entry.status == Status.RETURNED
    assert Notification.objects.filter(recipient=secretary, text__contains="党员大会记录不全").exists()
    assert entry.events.last().note == "党员大会记录不全"
    services.progress_add(actor=secretary, entry=entry, on=date.today(), text="补齐会议记录")
    assert services.acceptance_request(actor=secretary, entry=entry).status == Status.AWAITING


def test_the_unit_cannot_accept_or_close_its_own_and_closing_waits_for_acceptance(cast):
    secretary = branch_secretary(cast.village_a)
    entry = _worked(cast, secretary)
    with pytest.raises(ValidationError):
        services.acceptance_decide(actor=secretary, entry=entry, passed=True, opinion="自己验收")
    with pytest.raises(ValidationError):
        services.acceptance_decide(actor=cast.outsider, entry=entry, passed=True, opinion="外区")
    with pytest.raises(ValidationError) as error:
        services.entry_close(actor=cast.county_organiser, entry=entry)
    assert "验收通过后" in str(error.value)
    assert Entry.objects.get().status == Status.AWAITING


def test_progress_waits_for_a_plan_and_a_bad_file_leaves_nothing_behind(cast):
    secretary = branch_secretary(cast.village_a)
    entry = _listed(cast)
    with pytest.raises(ValidationError) as error:
        services.progress_add(actor=secretary, entry=entry, on=date.today(), text="开会")
    assert "整顿方案" in str(error.value)
    services.plan_set(actor=secretary, entry=entry, **PLAN)
    bad = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(ValidationError) as error:
        services.progress_add(actor=secretary, entry=entry, on=date.today(), text="开会", files=[bad])
    assert "病毒.exe" in str(error.value)
    with pytest.raises(ValidationError):
        services.progress_add(actor=secretary, entry=entry, on=date.today() + timedelta(days=1), text="明天")
    assert not Progress.objects.exists() and not ProgressFile.objects.exists()


def test_a_plan_needs_its_problems_measures_deadline_and_leader(cast):
    entry = _listed(cast)
    with pytest.raises(ValidationError) as error:
        services.plan_set(actor=cast.county_organiser, entry=entry, **{**PLAN, "measures": " "})
    assert "measures" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.plan_set(
            actor=cast.county_organiser, entry=entry, **{**PLAN, "deadline": date(YEAR - 1, 5, 1)}
        )
    assert "deadline" in error.value.error_dict
    with pytest.raises(ValidationError):
        services.plan_set(actor=branch_secretary(cast.village_b), entry=entry, **PLAN)
    assert not Entry.objects.get().has_plan


def test_an_organisation_listed_again_next_year_keeps_its_history(cast):
    first = services.entry_add(actor=cast.county_organiser, org=cast.village_a, year=YEAR - 1, reason="去年")
    second = _listed(cast)
    from shuzhi.weakorgs.selectors import history

    assert list(history(cast.village_a)) == [second, first]


def test_evidence_is_read_back_as_stored(cast):
    secretary = branch_secretary(cast.village_a)
    _worked(cast, secretary)
    stored = ProgressFile.objects.get()
    assert stored.kind == "png" and stored.file.read() == BytesIO(PNG).read()
