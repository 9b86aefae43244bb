from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shuzhi.core.models import AuditEvent, Notification
from shuzhi.projects import services
from shuzhi.projects.models import Declaration, DeclaredItem, Progress, Project, ProjectFile, Rating
from shuzhi.rectification.models import Item
from shuzhi.testing.projects import MILESTONES, accepted, county_round, fill, supervisor, township_declaration

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_opening_a_round_takes_the_cycles_units_and_groups_and_tells_each_secretary(cast):
    round_ = county_round(cast)
    declaration = township_declaration(round_, cast)
    assert (declaration.group, declaration.secretary) == ("乡镇街道", cast.township_secretary)
    assert declaration.status == Declaration.Status.NOT_STARTED
    assert Notification.objects.filter(recipient=cast.township_secretary, text__contains="申报").exists()
    assert AuditEvent.objects.filter(action="projects.round_open").count() == 1


def test_a_round_without_a_cycle_or_secretaries_below_is_refused_and_nothing_is_written(cast):
    from shuzhi.projects.models import Round

    with pytest.raises(ValidationError) as caught:
        services.round_open(
            actor=cast.city_organiser,
            year=2026,
            title="t",
            declare_due=timezone.localdate(),
            quarter_dues=[timezone.localdate() + timedelta(days=q) for q in (1, 2, 3, 4)],
            scheme=[{"label": "好", "score": 100}, {"label": "差", "score": 50}],
        )
    assert caught.value.code == "no_units"
    assert not Round.objects.exists()


def test_quarter_dues_before_the_declaration_due_are_refused(cast):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        services.round_open(
            actor=cast.county_organiser,
            year=today.year,
            title="t",
            declare_due=today,
            quarter_dues=[today - timedelta(days=1), today, today, today],
            scheme=[],
        )
    assert "q1_due" in caught.value.message_dict


def test_a_declaration_goes_submitted_returned_and_accepted_with_notifications(cast):
    round_ = county_round(cast)
    declaration = township_declaration(round_, cast)
    with pytest.raises(ValidationError) as caught:
        services.declaration_submit(actor=cast.township_secretary, declaration=declaration)
    assert len(caught.value.messages) == 3  # no problem, no duty, no project
    fill(declaration, cast)
    services.declaration_submit(actor=cast.township_secretary, declaration=declaration)
    assert Notification.objects.filter(recipient=cast.county_organiser, text__contains="柳泉镇").exists()
    with pytest.raises(ValidationError) as caught:
        services.declaration_return(actor=cast.county_organiser, declaration=declaration, reason="不行")
    assert caught.value.message_dict["reason"]
    services.declaration_return(actor=cast.county_organiser, declaration=declaration, reason="目标不够量化")
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.RETURNED
    assert Notification.objects.filter(
        recipient=cast.township_secretary, text__contains="目标不够量化"
    ).exists()
    services.declaration_submit(actor=cast.township_secretary, declaration=declaration)
    services.declaration_accept(actor=cast.county_organiser, declaration=declaration)
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.ACCEPTED
    with pytest.raises(ValidationError) as caught:
        services.item_add(actor=cast.township_secretary, declaration=declaration, kind="problem", text="x")
    assert caught.value.code == "not_editable"


def test_only_the_units_secretary_writes_and_only_the_rounds_organiser_reviews(cast):
    round_ = county_round(cast)
    declaration = township_declaration(round_, cast)
    with pytest.raises(ValidationError) as caught:
        services.item_add(actor=cast.county_organiser, declaration=declaration, kind="problem", text="x")
    assert caught.value.code == "not_writer"
    fill(declaration, cast)
    services.declaration_submit(actor=cast.township_secretary, declaration=declaration)
    with pytest.raises(ValidationError) as caught:
        services.declaration_accept(actor=cast.city_organiser, declaration=declaration)
    assert caught.value.code == "not_organiser"


def test_a_duty_needs_a_target_and_an_owner_and_a_project_a_problem_of_the_same_unit(cast):
    declaration = township_declaration(county_round(cast), cast)
    with pytest.raises(ValidationError) as caught:
        services.item_add(actor=cast.township_secretary, declaration=declaration, kind="duty", text="评星")
    assert "量化目标" in caught.value.message_dict["target"][0]
    duty = services.item_add(
        actor=cast.township_secretary,
        declaration=declaration,
        kind="duty",
        text="评星",
        target="100%",
        owner="甲",
    )
    with pytest.raises(ValidationError) as caught:
        services.project_save(
            actor=cast.township_secretary,
            declaration=declaration,
            title="p",
            problem=duty,
            goals=[{"goal": "g", "target": "t", "due": "2026-12-31"}],
            milestones=MILESTONES,
        )
    assert "problem" in caught.value.message_dict
    assert not Project.objects.exists()


def test_a_problem_a_project_attacks_cannot_be_removed(cast):
    declaration = township_declaration(county_round(cast), cast)
    project = fill(declaration, cast)
    with pytest.raises(ValidationError) as caught:
        services.item_remove(actor=cast.township_secretary, item=project.problem)
    assert "村级后备干部“育苗”工程" in caught.value.messages[0]


def test_a_refused_attachment_stores_nothing(cast):
    declaration = township_declaration(county_round(cast), cast)
    project = fill(declaration, cast)
    bad = SimpleUploadedFile("方案.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError) as caught:
        services.project_save(
            actor=cast.township_secretary,
            declaration=declaration,
            project=project,
            title="改过的名字",
            problem=project.problem,
            goals=project.goals,
            milestones=MILESTONES,
            files=[bad],
        )
    assert "方案.pdf" in caught.value.message_dict["files"][0]
    project.refresh_from_db()
    assert project.title != "改过的名字" and not ProjectFile.objects.exists()


def test_last_years_open_rectification_items_are_offered_and_carried_once(cast):
    from shuzhi.projects import selectors
    from shuzhi.rectification.services import items_generate
    from shuzhi.testing.rectification import published_cycle

    cycle = published_cycle(cast)
    items_generate(actor=cast.county_organiser, cycle=cycle)
    round_ = county_round(cast, year=cycle.year + 1)
    declaration = township_declaration(round_, cast)
    offered = selectors.open_rectification(declaration)
    assert offered and all(i.organization_id == cast.township_a.pk for i in offered)
    assert services.items_carry(actor=cast.township_secretary, declaration=declaration, items=offered) == len(
        offered
    )
    assert services.items_carry(actor=cast.township_secretary, declaration=declaration, items=offered) == 0
    carried = declaration.items.filter(kind=DeclaredItem.Kind.PROBLEM)
    assert {i.text for i in carried} == {i.title for i in offered}
    assert selectors.open_rectification(declaration) == []
    assert Item.objects.filter(pk__in=[i.carried_from_id for i in carried]).count() == len(offered)


def test_progress_waits_for_acceptance_is_flagged_late_and_rated_by_the_scheme(cast):
    round_ = county_round(cast)
    declaration = township_declaration(round_, cast)
    project = fill(declaration, cast)
    with pytest.raises(ValidationError) as caught:
        services.progress_submit(actor=cast.township_secretary, project=project, quarter=1, done="摸排完成")
    assert caught.value.code == "not_accepted"
    services.declaration_submit(actor=cast.township_secretary, declaration=declaration)
    services.declaration_accept(actor=cast.county_organiser, declaration=declaration)
    round_.q1_due = timezone.localdate() - timedelta(days=1)
    round_.save()
    first = services.progress_submit(
        actor=cast.township_secretary,
        project=project,
        quarter=1,
        done="摸排后备人选 24 名",
        files=[SimpleUploadedFile("签到表.pdf", PDF)],
    )
    assert first.late is True and first.files.count() == 1
    with pytest.raises(ValidationError) as caught:
        services.progress_submit(actor=cast.township_secretary, project=project, quarter=1, done="again")
    assert "quarter" in caught.value.message_dict
    second = services.progress_submit(
        actor=cast.township_secretary, project=project, quarter=2, done="培训一期"
    )
    assert second.late is False

    office = supervisor(cast.county_a)
    with pytest.raises(ValidationError) as caught:
        services.rating_record(actor=office, progress=first, label="优秀", comment="c")
    assert "好、较好、一般、差" in caught.value.message_dict["label"][0]
    with pytest.raises(ValidationError) as caught:
        services.rating_record(actor=supervisor(cast.county_b), progress=first, label="好", comment="c")
    assert caught.value.code == "not_supervisor"
    services.rating_record(
        actor=office, progress=first, label="较好", comment="摸排扎实", onsite="到村查看台账"
    )
    services.rating_record(actor=office, progress=first, label="好", comment="复核后上调")
    rating = Rating.objects.get(progress=first)
    assert (rating.label, rating.score) == ("好", Decimal(100))
    assert Notification.objects.filter(recipient=cast.township_secretary, text__contains="好").exists()
    assert AuditEvent.objects.filter(action="projects.rating_record").count() == 2


def test_reminders_reach_only_the_units_still_waiting(cast):
    round_, project = accepted(cast)
    assert services.declarations_remind(actor=cast.county_organiser, round_=round_) == 0
    before = Notification.objects.filter(recipient=cast.township_secretary).count()
    assert services.progress_remind(actor=cast.county_organiser, round_=round_, quarter=1) == 1
    assert Notification.objects.filter(recipient=cast.township_secretary).count() == before + 1
    services.progress_submit(actor=cast.township_secretary, project=project, quarter=1, done="d")
    assert services.progress_remind(actor=cast.county_organiser, round_=round_, quarter=1) == 0
    with pytest.raises(ValidationError):
        services.progress_remind(actor=cast.township_secretary, round_=round_, quarter=1)


def test_the_organiser_marks_an_exemplary_project_with_a_reason(cast):
    _round, project = accepted(cast)
    with pytest.raises(ValidationError) as caught:
        services.project_mark_exemplary(actor=cast.county_organiser, project=project, exemplary=True, note="")
    assert "note" in caught.value.message_dict
    services.project_mark_exemplary(
        actor=cast.county_organiser, project=project, exemplary=True, note="做法可复制"
    )
    project.refresh_from_db()
    assert project.exemplary and project.exemplary_at is not None
    with pytest.raises(ValidationError):
        services.project_mark_exemplary(actor=cast.city_organiser, project=project, exemplary=False)
    assert Progress.objects.count() == 0
