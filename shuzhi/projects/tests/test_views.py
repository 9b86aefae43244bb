import io
from datetime import timedelta

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.roles import Role
from shuzhi.cycles.services import cycle_advance
from shuzhi.projects import selectors, services
from shuzhi.projects.models import Declaration, DeclaredItem, Progress, Project, Rating, Round
from shuzhi.testing.factories import OrganizationFactory, UserFactory
from shuzhi.testing.projects import MILESTONES, accepted, county_round, supervisor, township_declaration

pytestmark = pytest.mark.django_db


def _rated(cast):
    round_, project = accepted(cast)
    for quarter in (1, 2):
        services.progress_submit(
            actor=cast.township_secretary, project=project, quarter=quarter, done=f"第{quarter}季度完成"
        )
    office = supervisor(cast.county_a)
    first = project.progress.get(quarter=1)
    services.rating_record(actor=office, progress=first, label="较好", comment="推进有力")
    return round_, project, office


def test_the_organiser_opens_a_round_from_the_page_and_a_bad_scheme_keeps_what_was_typed(client, cast):
    from shuzhi.testing.cycles import county_cycle

    county_cycle(cast, open_reports=False)
    client.force_login(cast.county_organiser)
    assert client.get(reverse("projects:round_new")).status_code == 200
    year = timezone.localdate().year
    data = {
        "year": year,
        "title": "东湖区项目",
        "declare_due": f"{year}-01-31",
        "q1_due": f"{year}-04-10",
        "q2_due": f"{year}-07-10",
        "q3_due": f"{year}-10-10",
        "q4_due": f"{year + 1}-01-10",
        "scheme": "好=100\n差=120",
    }
    response = client.post(reverse("projects:round_new"), data)
    assert response.status_code == 200
    assert "第 2 行" in response.content.decode() and "东湖区项目" in response.content.decode()
    assert not Round.objects.exists()
    response = client.post(reverse("projects:round_new"), dict(data, scheme="好=100\n一般=70\n差=40"))
    round_ = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == round_.get_absolute_url()
    assert [s["label"] for s in round_.rating_scheme] == ["好", "一般", "差"]


def test_pages_answer_by_role_and_hide_other_subtrees(client, cast):
    round_, project, office = _rated(cast)
    declaration = project.declaration
    pages = [
        reverse("projects:round", args=[round_.pk]),
        reverse("projects:ranking", args=[round_.pk]),
        reverse("projects:ranking_docx", args=[round_.pk]),
        reverse("projects:declaration", args=[declaration.pk]),
        reverse("projects:project", args=[project.pk]),
    ]
    for user in (cast.county_organiser, cast.city_organiser, office):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 200, (user, url)
    client.force_login(cast.township_secretary)  # the unit sees its own declaration and projects
    for url in pages[3:]:
        assert client.get(url).status_code == 200
    for url in pages[:3]:
        assert client.get(url).status_code == 403
    client.force_login(cast.outsider)  # the neighbouring county's organiser
    for url in pages:
        assert client.get(url).status_code == 404, url
    other_secretary = UserFactory(role=Role.SECRETARY, organization=cast.township_b)
    client.force_login(other_secretary)
    for url in pages[3:]:
        assert client.get(url).status_code == 404
    client.force_login(cast.member_user)
    for url in [*pages, reverse("projects:index"), reverse("projects:exemplary")]:
        assert client.get(url).status_code == 403
    client.force_login(cast.county_organiser)
    for url in (pages[1], pages[2], reverse("projects:index"), reverse("projects:mine")):
        assert client.post(url).status_code in (403, 405)
    assert client.post(pages[1]).status_code == 405
    assert client.put(pages[3]).status_code == 405


def test_the_secretary_declares_from_the_page_and_an_error_keeps_the_typed_row(client, cast):
    round_ = county_round(cast)
    declaration = township_declaration(round_, cast)
    client.force_login(cast.township_secretary)
    url = reverse("projects:declaration", args=[declaration.pk])
    response = client.post(
        url,
        {
            "action": "duty",
            "duty-text": "星级评定",
            "duty-target": "",
            "duty-owner": "甲",
            "duty-due": "2026-12-31",
        },
    )
    assert response.status_code == 200 and 'value="星级评定"' in response.content.decode()
    assert not DeclaredItem.objects.exists()
    client.post(
        url,
        {
            "action": "problem",
            "problem-text": "后备干部不足",
            "problem-category": "党员队伍",
            "problem-evidence": "谈心谈话",
        },
    )
    problem = DeclaredItem.objects.get()
    client.post(
        url,
        {
            "action": "duty",
            "duty-text": "星级评定",
            "duty-target": "100%",
            "duty-owner": "甲",
            "duty-due": "2026-12-31",
        },
    )
    year = round_.year
    new = reverse("projects:project_new", args=[declaration.pk])
    bad = {
        "title": "育苗工程",
        "problem": problem.pk,
        "goals": "只有一段",
        "m1": "a",
        "m2": "b",
        "m3": "c",
        "m4": "d",
    }
    response = client.post(new, bad)
    assert response.status_code == 200 and "第 1 行" in response.content.decode()
    assert 'value="育苗工程"' in response.content.decode() and not Project.objects.exists()
    response = client.post(new, dict(bad, goals=f"储备后备｜每村2名｜{year}-12-31"))
    assert response.status_code == 302
    response = client.post(url, {"action": "submit"})
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.SUBMITTED
    assert client.post(url, {"action": "accept"}).status_code == 403  # a secretary does not review
    client.force_login(cast.county_organiser)
    response = client.post(url, {"action": "return", "reason": "短"})
    assert response.status_code == 200 and "至少 4 个字" in response.content.decode()
    client.post(url, {"action": "accept"})
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.ACCEPTED


def test_submitting_an_incomplete_declaration_says_what_is_missing(client, cast):
    declaration = township_declaration(county_round(cast), cast)
    client.force_login(cast.township_secretary)
    response = client.post(reverse("projects:declaration", args=[declaration.pk]), {"action": "submit"})
    body = response.content.decode()
    assert (
        response.status_code == 200 and "问题清单至少要有一项" in body and "至少申报一个书记领办项目" in body
    )


def test_the_supervisor_rates_from_the_page_and_the_ranking_docx_lists_the_unit(client, cast):
    round_, project, office = _rated(cast)
    second = project.progress.get(quarter=2)
    client.force_login(office)
    url = reverse("projects:project", args=[project.pk])
    response = client.post(
        url, {"action": "rating", "progress": second.pk, "label": "不存在", "comment": "x"}
    )
    assert response.status_code == 200 and not Rating.objects.filter(progress=second).exists()
    response = client.post(
        url, {"action": "rating", "progress": second.pk, "label": "好", "comment": "成效明显"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#q2")
    response = client.get(reverse("projects:ranking_docx", args=[round_.pk]) + "?quarter=2")
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "第二季度推进情况通报" in text and "乡镇街道" in text
    cells = [c.text for c in document.tables[0].rows[1].cells]
    assert cells[:2] == ["1", cast.township_a.name] and cells[-2:] == ["好", "100"]
    response = client.get(reverse("projects:ranking", args=[round_.pk]) + "?quarter=1")
    assert "较好" in response.content.decode()


def test_the_unit_reports_progress_and_only_its_secretary_may(client, cast):
    _round, project = accepted(cast)
    url = reverse("projects:project", args=[project.pk])
    client.force_login(cast.county_organiser)
    assert client.post(url, {"action": "progress", "quarter": 1, "done": "x"}).status_code == 403
    client.force_login(cast.township_secretary)
    response = client.post(url, {"action": "progress", "quarter": 1, "done": ""})
    assert response.status_code == 200 and not Progress.objects.exists()
    response = client.post(
        url, {"action": "progress", "quarter": 1, "done": "摸排后备人选24名", "figures": "24名"}
    )
    assert response.status_code == 302 and Progress.objects.get().figures == "24名"


def test_the_organiser_marks_an_exemplary_project_and_it_stays_in_the_list(client, cast):
    _round, project = accepted(cast)
    client.force_login(cast.county_organiser)
    url = reverse("projects:project", args=[project.pk])
    client.post(url, {"action": "exemplary", "exemplary": "on", "note": "育苗做法可复制"})
    client.force_login(cast.city_organiser)
    body = client.get(reverse("projects:exemplary")).content.decode()
    assert project.title in body and "育苗做法可复制" in body
    client.force_login(cast.outsider)
    assert project.title not in client.get(reverse("projects:exemplary")).content.decode()


def test_the_late_list_and_reminders_on_the_board(client, cast):
    round_ = county_round(cast, declare_due=timezone.localdate() - timedelta(days=1))
    client.force_login(cast.county_organiser)
    body = client.get(reverse("projects:round", args=[round_.pk])).content.decode()
    assert 'data-testid="late-list"' in body and cast.township_a.name in body
    response = client.post(
        reverse("projects:round", args=[round_.pk]), {"action": "remind_declarations"}, follow=True
    )
    assert "已提醒 1 位书记" in response.content.decode()
    client.force_login(supervisor(cast.county_a))
    assert (
        client.post(
            reverse("projects:round", args=[round_.pk]), {"action": "remind_declarations"}
        ).status_code
        == 403
    )


def _more_units(round_, cast, n: int):
    """n more units with a project each and a rated quarter, to show the pages' queries stay fixed."""
    office = supervisor(cast.county_a)
    for i in range(n):
        org = OrganizationFactory(
            name=f"第{i}镇党委", code=f"C01{900 + i}", kind="committee", parent=cast.county_a
        )
        secretary = UserFactory(role=Role.SECRETARY, organization=org)
        declaration = Declaration.objects.create(
            round=round_,
            organization=org,
            org_path=org.path,
            secretary=secretary,
            group="乡镇街道",
            position=i + 5,
        )
        problem = DeclaredItem.objects.create(declaration=declaration, kind="problem", text="p")
        project = Project.objects.create(
            declaration=declaration,
            title=f"项目{i}",
            problem=problem,
            goals=[{"goal": "g", "target": "t", "due": "2026-12-31"}],
            milestones=MILESTONES,
        )
        progress = Progress.objects.create(project=project, quarter=1, done="d", submitted_by=secretary)
        Rating.objects.create(progress=progress, label="好", score=100, comment="c", rated_by=office)


@pytest.mark.parametrize("page", ["projects:round", "projects:ranking"])
def test_the_board_and_the_ranking_take_the_same_queries_for_one_unit_or_many(client, cast, page):
    round_, _project, _office = _rated(cast)
    client.force_login(cast.county_organiser)
    url = reverse(page, args=[round_.pk]) + "?quarter=1"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _more_units(round_, cast, 6)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert "第5镇党委" in body
    assert len(many) == len(few) <= 12


def test_the_project_shows_in_the_units_duty_report_read_only(client, cast):
    round_, project, _office = _rated(cast)
    from shuzhi.reports.models import Report

    cycle = round_.declarations.get().round.organization.cycles.get(year=round_.year)
    cycle_advance(actor=cast.county_organiser, cycle=cycle)
    report = Report.objects.get(reporter__cycle=cycle)
    client.force_login(cast.county_organiser)
    body = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'data-testid="extra-section"' in body and "书记领办项目推进情况" in body
    assert project.title in body and "较好（85）" in body and "已报送，待评价" in body


def test_the_supervision_report_counts_the_quarter_and_lists_each_project(client, cast):
    round_, project, office = _rated(cast)
    client.force_login(office)
    response = client.get(reverse("projects:supervision_docx", args=[round_.pk]) + "?quarter=1")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "第一季度推进情况的专题报告" in text
    assert "应报送项目 1 个，已报送 1 个（其中逾期报送 0 个），未报送 0 个" in text and "较好 1 个" in text
    cells = [c.text for c in document.tables[0].rows[1].cells]
    assert cells == [cast.township_a.name, project.title, MILESTONES[0], "按时", "较好", "推进有力"]
    client.force_login(cast.township_secretary)
    assert client.get(reverse("projects:supervision_docx", args=[round_.pk])).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(reverse("projects:supervision_docx", args=[round_.pk])).status_code == 404


def test_the_meeting_book_prints_the_projects_after_the_units_report(client, cast):
    round_, project, _office = _rated(cast)
    from shuzhi.reports.services import meeting_book

    cycle = round_.organization.cycles.get(year=round_.year)
    cycle_advance(actor=cast.county_organiser, cycle=cycle)
    book = docx.Document(io.BytesIO(meeting_book(cycle=cycle)))
    text = "\n".join(p.text for p in book.paragraphs)
    assert "九、书记领办项目推进情况" in text
    rows = [[c.text for c in row.cells] for row in book.tables[-1].rows]
    assert rows[0][:2] == ["项目", "一季度"] and rows[1][:4] == [
        project.title,
        "较好（85）",
        "已报送，待评价",
        "未报送",
    ]


def test_the_ranking_pages_one_group_and_ranks_across_its_pages_as_the_bulletin_does(client, cast):
    round_, _project, _office = _rated(cast)  # 柳泉镇: 较好 (85) in Q1
    _more_units(round_, cast, 6)  # six more, each 好 (100) in Q1
    Declaration.objects.filter(organization__name="第5镇党委").update(group="街道")
    full = {g: [r.cells for r in rows] for g, rows in selectors.ranking(round_, quarter=1)}
    found = selectors.ranking_page(round_, quarter=1, group="乡镇街道", page_number=2, per_page=3)
    assert found.groups == [("乡镇街道", 6), ("街道", 1)]
    assert [r.cells for r in found.rows] == full["乡镇街道"][3:6]
    assert found.rows[-1].cells[:2] == ("6", cast.township_a.name)  # last of the group, on page 2
    client.force_login(cast.county_organiser)
    url = reverse("projects:ranking", args=[round_.pk])
    body = client.get(url, {"quarter": 1, "group": "街道"}).content.decode()
    assert "第5镇党委" in body and cast.township_a.name not in body
    body = client.get(url, {"quarter": 1, "group": "乡镇街道", "page": 1}).content.decode()
    assert "第0镇党委" in body and "第5镇党委" not in body
    unknown = client.get(url, {"quarter": 1, "group": "没有这个组"}).content.decode()
    assert "乡镇街道" in unknown  # an unknown group falls back to the first


def test_a_declaration_links_its_round_only_for_those_who_may_open_the_round(client, cast):
    """A township's own organiser sees its declaration in the county's round, not the county's whole
    board: the way back names the round without a link that would end on 'not found'."""
    round_ = county_round(cast)
    declaration = township_declaration(round_, cast)
    url = reverse("projects:declaration", args=[declaration.pk])
    client.force_login(
        UserFactory(username="township_organiser", role=Role.ORGANISER, organization=cast.township_a)
    )
    page = client.get(url).content.decode()
    assert round_.title in page and round_.get_absolute_url() not in page
    assert client.get(round_.get_absolute_url()).status_code == 404
    client.force_login(cast.county_organiser)
    assert round_.get_absolute_url() in client.get(url).content.decode()
