import io
import time
import zipfile
from datetime import timedelta
from urllib.parse import quote

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from docx.oxml.ns import qn
from openpyxl import Workbook, load_workbook

from shuzhi.ballots.services import (
    ballot_cast,
    comment_add,
    meeting_tally,
    voting_close,
)
from shuzhi.core.grades import Grade
from shuzhi.core.models import AuditEvent
from shuzhi.core.roles import Role
from shuzhi.cycles.models import Cycle
from shuzhi.cycles.services import cycle_advance
from shuzhi.reports.services import report_item_add
from shuzhi.scoring import documents
from shuzhi.scoring.models import Assessment, BulletinTemplate, Result
from shuzhi.scoring.services import (
    assessment_compute,
    assessment_publish,
    component_score_set,
    veto_record,
)
from shuzhi.testing.cycles import county_cycle, township_report
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.meetings import county_meeting, sign_off, tokens

pytestmark = pytest.mark.django_db

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PROBLEMS = (("村级后备干部储备不足", "队伍建设"), ("党员教育管理方式单一", ""))
FINAL = "要把后备干部队伍建设作为今年的重点，年内见到成效。"
MEMBER_COMMENT = "抓党建的精力投入不够均衡，村级阵地建设偏弱。"


def _scores(cast, reporter, daily: str, tasks: str) -> None:
    component_score_set(actor=cast.county_organiser, reporter=reporter, component="日常考核", score=daily)
    component_score_set(actor=cast.county_organiser, reporter=reporter, component="重点任务", score=tasks)


@pytest.fixture
def published(cast):
    """The county meeting's three units assessed and published without an objection period:
    柳泉镇 好 (with two problems in its report and two 点评, the final one written last),
    青石镇 较好 by score but 一般 by a veto, 城关街道 一般."""
    meeting = county_meeting(cast)
    cycle = meeting.cycle
    township = cycle.reporters.get(organization=cast.township_a)
    report = township_report(cycle, cast)
    for text, category in PROBLEMS:
        report_item_add(actor=cast.township_secretary, report=report, kind="problem", text=text,
                        category=category, severity="moderate")  # fmt: skip
    comment_add(
        actor=cast.reviewer, meeting=meeting, reporter=township, text=MEMBER_COMMENT, portfolio="组织工作"
    )
    comment_add(actor=cast.county_organiser, meeting=meeting, text=FINAL, is_final=True)
    for class_name, others in (("党员群众代表", Grade.FAIRLY_GOOD), ("区委常委", Grade.AVERAGE)):
        for token in tokens(meeting, class_name):
            ballot_cast(
                token=token, grades={r: Grade.GOOD if r == township.pk else others for r in meeting.agenda}
            )
    meeting = voting_close(actor=cast.county_organiser, meeting=meeting)
    sign_off(cast, meeting)
    meeting_tally(actor=cast.county_organiser, meeting=meeting)
    cycle = cycle_advance(actor=cast.county_organiser, cycle=Cycle.objects.get(pk=cycle.pk))
    # no quota: with three units the default 30% would leave no room for a 好
    Cycle.objects.filter(pk=cycle.pk).update(scheme={**cycle.scheme, "good_quota_percent": None})
    cycle.refresh_from_db()
    qingshi, chengguan = cycle.reporters.exclude(pk=township.pk).order_by("mode", "position")
    _scores(cast, township, "95", "90")
    _scores(cast, qingshi, "85", "85")
    _scores(cast, chengguan, "80", "80")
    veto_record(
        actor=cast.county_organiser, reporter=qingshi, veto="核心指标未完成", note="东组通〔2026〕5号"
    )
    assessment_compute(actor=cast.county_organiser, cycle=cycle)
    assessment = assessment_publish(actor=cast.county_organiser, cycle=cycle, objection_days=0)
    assert assessment.status == Assessment.Status.FINAL
    grades = dict(assessment.results.values_list("reporter__organization__name", "grade"))
    assert grades == {
        cast.township_a.name: "好",
        qingshi.organization.name: "一般",
        chengguan.organization.name: "一般",
    }
    return assessment


def _template(*paragraphs: str, table: bool = False) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        rows = document.add_table(rows=3, cols=3)
        rows.rows[0].cells[0].text = "{%tr for r in results %}"
        for cell, text in zip(
            rows.rows[1].cells, ("{{ r.unit }}", "{{ r.secretary }}", "{{ r.grade }}"), strict=True
        ):
            cell.text = text
        rows.rows[2].cells[0].text = "{%tr endfor %}"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _upload(client, cycle, data: bytes, name: str = "我们的通报模板.docx"):
    return client.post(
        reverse("scoring:bulletin_template", args=[cycle.pk]),
        {"file": SimpleUploadedFile(name, data, content_type=DOCX_TYPE)},
        follow=True,
    )


def _open(response) -> docx.document.Document:
    assert response.status_code == 200 and response["Content-Type"] == DOCX_TYPE
    return docx.Document(io.BytesIO(response.content))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _table_rows(document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


# ---- the bulletin ---------------------------------------------------------------------------------


def test_the_bulletin_lists_every_reporter_with_their_grade_in_the_official_layout(cast, client, published):
    client.force_login(cast.county_organiser)
    cycle = published.cycle
    response = client.get(reverse("scoring:bulletin", args=[cycle.pk]))
    assert quote("考核结果通报.docx") in response["Content-Disposition"]
    document = _open(response)
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    assert paragraphs[0].text == f"关于{cycle.title}结果的通报"
    text = "\n".join(p.text for p in paragraphs)
    assert "“好”等次1个，“较好”等次0个，“一般”等次2个，“差”等次0个" in text
    assert f"评为“好”等次的单位：{cast.township_a.name}。" in text
    assert "（一）乡镇街道（3个）" in text and "{{" not in text and "{%" not in text
    rows = _table_rows(document)
    assert rows[0] == ["排名", "单位", "书记", "综合得分", "等次"]
    for result in Result.objects.filter(assessment=published).select_related(
        "reporter__organization", "reporter__secretary"
    ):
        assert [str(result.rank), result.reporter.organization.name, result.reporter.secretary.full_name,
                str(result.score), result.grade] in rows  # fmt: skip
    assert len(rows) == 1 + 3
    # the official layout: 方正小标宋 title, 黑体 headings, 仿宋 body, the Chinese font named for East Asian text
    fonts = {p.text: p.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) for p in paragraphs if p.runs}
    assert fonts[paragraphs[0].text] == "方正小标宋简体"
    assert fonts["一、总体情况"] == "黑体"
    assert fonts["各有关党组织："] == "仿宋"


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_committed_default_template_is_what_the_builder_makes():
    # compared member by member: another zlib may compress the same parts to other bytes
    assert _members(documents.build_default_template()) == _members(documents.DEFAULT_BULLETIN.read_bytes())
    documents.template_check(documents.DEFAULT_BULLETIN.read_bytes())


def test_the_bulletin_waits_for_publication(cast, client):
    cycle = county_cycle(cast)
    while cycle.status != Cycle.Status.ASSESSING:
        cycle = cycle_advance(actor=cast.county_organiser, cycle=cycle)
    _scores(cast, cycle.reporters.get(), "90", "90")
    result = assessment_compute(actor=cast.county_organiser, cycle=cycle).results.get()
    client.force_login(cast.county_organiser)
    for url, back in (
        (reverse("scoring:bulletin", args=[cycle.pk]), reverse("scoring:index", args=[cycle.pk])),
        (reverse("scoring:cadre_xlsx", args=[cycle.pk]), reverse("scoring:index", args=[cycle.pk])),
        (reverse("scoring:notice", args=[result.pk]), reverse("scoring:explain", args=[result.pk])),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == back
    index = client.get(reverse("scoring:index", args=[cycle.pk]))
    assert "下载通报" not in index.content.decode() and "通报模板" in index.content.decode()


def test_an_organisers_own_template_is_checked_stored_audited_and_used(cast, client, published):
    cycle = published.cycle
    client.force_login(cast.county_organiser)
    page = client.get(reverse("scoring:bulletin_template", args=[cycle.pk]))
    assert "正在使用默认模板" in page.content.decode()
    own = _template("{{ organiser }}关于{{ year }}年度述职评议考核情况的通报（本单位格式）", table=True)
    response = _upload(client, cycle, own)
    assert "已启用新的通报模板“我们的通报模板.docx”。" in _messages(response)
    stored = BulletinTemplate.objects.get(organization=cast.county_a)
    assert stored.original_name == "我们的通报模板.docx" and stored.uploaded_by == cast.county_organiser
    event = AuditEvent.objects.get(action="bulletin.template_upload")
    assert event.changes["file"] == "我们的通报模板.docx" and event.org_path == cast.county_a.path
    assert "正在使用本单位上传的模板“我们的通报模板.docx”" in response.content.decode()

    document = _open(client.get(reverse("scoring:bulletin", args=[cycle.pk])))
    assert (
        document.paragraphs[0].text
        == f"{cast.county_a.name}关于{cycle.year}年度述职评议考核情况的通报（本单位格式）"
    )
    assert [cast.township_a.name, cast.township_secretary.full_name, "好"] in _table_rows(document)
    current = client.get(reverse("scoring:bulletin_template_file", args=[cycle.pk]))
    assert current.status_code == 200 and current.content == own
    default = client.get(reverse("scoring:bulletin_template_default"))
    assert default.content == documents.DEFAULT_BULLETIN.read_bytes()

    client.post(reverse("scoring:bulletin_template", args=[cycle.pk]), {"action": "reset"})
    assert not BulletinTemplate.objects.filter(organization=cast.county_a).exists()
    assert AuditEvent.objects.filter(action="bulletin.template_reset").exists()
    document = _open(client.get(reverse("scoring:bulletin", args=[cycle.pk])))
    assert document.paragraphs[0].text == f"关于{cycle.title}结果的通报"


def test_a_broken_template_is_refused_with_a_chinese_message_and_the_old_one_kept(cast, client, published):
    cycle = published.cycle
    client.force_login(cast.county_organiser)
    _upload(client, cycle, _template("{{ organiser }}的通报", table=True), name="第一版.docx")
    response = _upload(client, cycle, _template("{{ organiser }}的通报", "{% for r in results %}", "{{ r.unit }}"),
                       name="第二版.docx")  # fmt: skip
    shown = _messages(response)
    assert shown[0] == "“第二版.docx”未启用，仍使用原来的模板："
    assert shown[1] == "模板第 2 段（“{% for r in results %}”）有错误：“{% for %}”没有对应的“{% endfor %}”。"
    response = _upload(
        client, cycle, _template("{{ organiser }}", "{% 循环 r in results %}"), name="第三版.docx"
    )
    assert "不认识的标签“循环”" in _messages(response)[1]
    response = _upload(client, cycle, _template("{{ organisation }}的通报"), name="第四版.docx")
    assert "模板中的“organisation”不是可用的字段" in _messages(response)[1]
    assert BulletinTemplate.objects.get(organization=cast.county_a).original_name == "第一版.docx"
    assert AuditEvent.objects.filter(action="bulletin.template_upload").count() == 1
    document = _open(client.get(reverse("scoring:bulletin", args=[cycle.pk])))
    assert document.paragraphs[0].text == f"{cast.county_a.name}的通报"


def test_a_file_that_is_not_a_docx_is_refused(cast, client, published):
    cycle = published.cycle
    client.force_login(cast.county_organiser)
    book = Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    response = _upload(client, cycle, buffer.getvalue(), name="模板.docx")
    assert _messages(response)[1] == "这是 Excel（.xlsx）文件。只接受 Word（.docx）文件。"
    response = _upload(client, cycle, b"{{ organiser }}", name="模板.txt")
    assert _messages(response)[1] == "无法识别的文件类型。只接受 Word（.docx）文件。"
    response = client.post(reverse("scoring:bulletin_template", args=[cycle.pk]), follow=True)
    assert _messages(response) == ["请选择要上传的模板文件（.docx）。"]
    assert not BulletinTemplate.objects.exists()


def test_a_template_that_reaches_for_python_is_refused():
    with pytest.raises(ValidationError) as error:
        documents.template_check(_template("{{ organiser.__class__.__mro__ }}"))
    assert error.value.code == "template_unsafe"


def test_only_the_organiser_of_the_cycles_organisation_changes_the_template(cast, client, published):
    cycle = published.cycle
    url = reverse("scoring:bulletin_template", args=[cycle.pk])
    data = _template("{{ organiser }}")
    for user in (cast.city_organiser, cast.reviewer):  # they see the cycle, but do not run it
        client.force_login(user)
        assert client.get(url).status_code == 200
        response = client.post(url, {"file": SimpleUploadedFile("t.docx", data, content_type=DOCX_TYPE)})
        assert response.status_code == 403
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.township_secretary)
    assert client.get(url).status_code == 403
    client.force_login(cast.county_organiser)
    assert client.put(url).status_code == 405
    assert client.post(reverse("scoring:bulletin", args=[cycle.pk])).status_code == 405
    assert not BulletinTemplate.objects.exists()


# ---- the rectification notice ---------------------------------------------------------------------


def test_a_notice_has_the_grade_the_final_comment_first_and_the_numbered_problems(cast, client, published):
    result = published.results.get(reporter__organization=cast.township_a)
    client.force_login(cast.township_secretary)  # the reporter themself
    response = client.get(reverse("scoring:notice", args=[result.pk]))
    assert quote("整改通知书.docx") in response["Content-Disposition"]
    lines = [p.text for p in _open(response).paragraphs if p.text.strip()]
    assert lines[0] == "整改通知书"
    assert lines[2] == f"{cast.township_a.name}（{cast.township_secretary.full_name}同志）："
    assert f"综合得分{result.score}分，考核等次为“好”（乡镇街道组3个单位中第1名）" in lines[3]
    comments = lines[lines.index("一、评议意见") + 1 : lines.index("二、存在的问题")]
    assert comments == [
        f"总体点评（{cast.county_organiser.full_name}）：{FINAL}",
        f"{cast.reviewer.full_name}（组织工作）：{MEMBER_COMMENT}",
    ]
    problems = lines[lines.index("二、存在的问题") + 1 : lines.index("三、整改要求")]
    assert problems == ["1. 村级后备干部储备不足（队伍建设）", "2. 党员教育管理方式单一"]
    due = timezone.localtime(published.published_at).date() + timedelta(days=30)
    assert (
        f"于{due.year}年{due.month}月{due.day}日前报{cast.county_a.name}"
        in lines[lines.index("三、整改要求") + 1]
    )


def test_a_notice_without_comments_or_problems_says_so_and_names_the_veto(cast, client, published):
    result = next(r for r in published.results.all() if r.vetoes)
    client.force_login(cast.county_organiser)
    lines = [p.text for p in _open(client.get(reverse("scoring:notice", args=[result.pk]))).paragraphs]
    assert "经核实，存在以下否决情形：核心指标未完成。" in lines
    assert (
        f"总体点评（{cast.county_organiser.full_name}）：{FINAL}" in lines
    )  # the meeting's, in every notice
    assert (
        "本次评议没有针对你单位的点评意见。" in lines
        and "述职报告中未列出问题。请对照评议意见自行查摆。" in lines
    )


def test_a_notice_is_for_the_cycles_viewers_and_the_reporter_only(cast, client, published):
    result = published.results.get(reporter__organization=cast.township_a)
    url = reverse("scoring:notice", args=[result.pk])
    other = published.results.exclude(pk=result.pk).first().reporter.secretary
    client.force_login(other)  # another unit's secretary
    assert client.get(url).status_code == 404
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.member_user)
    assert client.get(url).status_code == 403
    client.force_login(cast.reviewer)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405
    explain = client.get(reverse("scoring:explain", args=[result.pk])).content.decode()
    assert url in explain and reverse("scoring:history", args=[cast.township_a.pk]) in explain


# ---- the cadre-assessment export ------------------------------------------------------------------


def test_the_cadre_export_says_yes_only_for_good_and_lists_the_vetoes(cast, client, published):
    cycle = published.cycle
    client.force_login(cast.county_organiser)
    index = client.get(reverse("scoring:index", args=[cycle.pk])).content.decode()
    assert (
        reverse("scoring:cadre_xlsx", args=[cycle.pk]) in index
        and reverse("scoring:bulletin", args=[cycle.pk]) in index
    )
    response = client.get(reverse("scoring:cadre_xlsx", args=[cycle.pk]))
    assert response.status_code == 200 and quote("干部考核衔接.xlsx") in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == documents.CADRE_HEADERS
    by_unit = {row[1]: row for row in rows[1:]}
    assert len(by_unit) == 3
    township = by_unit[cast.township_a.name]
    assert township[0] == cast.township_secretary.full_name and township[2:5] == ["好", 96, "是"]
    assert township[5] == ""
    vetoed = [row for row in rows[1:] if row[5]]
    assert (
        len(vetoed) == 1
        and vetoed[0][2] == "一般"
        and vetoed[0][4] == "否"
        and vetoed[0][5] == "核心指标未完成"
    )
    assert {row[4] for row in rows[1:] if row[2] != "好"} == {"否"}


def test_the_cadre_export_is_for_the_cycles_viewers(cast, client, published):
    url = reverse("scoring:cadre_xlsx", args=[published.cycle.pk])
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.township_secretary)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(role=Role.SYSTEM_ADMIN, organization=cast.city))
    assert client.get(url).status_code == 403
    client.force_login(cast.city_organiser)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_a_template_that_runs_longer_than_a_second_is_stopped_and_refused(cast, client, published):
    """Loops within loops stay inside the sandbox but would hold a worker for hours."""
    slow = _template(
        "{{ organiser }}",
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    )
    started = time.monotonic()
    with pytest.raises(ValidationError) as error:
        documents.template_check(slow)
    assert error.value.code == "template_timeout"
    assert time.monotonic() - started < 5
    assert "超过 1 秒" in error.value.messages[0]
    cycle = published.cycle
    client.force_login(cast.county_organiser)
    response = _upload(client, cycle, slow, name="慢模板.docx")
    assert "模板运行超过 1 秒仍未完成" in _messages(response)[1]
    assert not BulletinTemplate.objects.exists()
