"""The Word documents of an assessment: the results bulletin (通报) rendered from a docxtpl template
that an organisation may replace with its own, the 整改通知书 for each reporter, and the rows of the
export for the annual cadre assessment.

Templates are Jinja inside Word (docxtpl), rendered in Jinja's sandbox with undefined names
refused, so that an uploaded template can neither reach into Python nor misspell a field quietly.

The default template is `bulletin_template.docx` beside this module, made by
`build_default_template`; after changing the builder, write it again with

    .venv/bin/python manage.py shell -c "from shuzhi.scoring import documents; documents.write_default_template()"
"""

import hashlib
import io
import multiprocessing
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

import docx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from shuzhi.ballots.models import Comment
from shuzhi.core import documents
from shuzhi.core.grades import Grade
from shuzhi.core.roles import Role
from shuzhi.core.services import audit_record
from shuzhi.core.uploads import DOCX, MB, check_upload
from shuzhi.orgs.models import Organization
from shuzhi.reports.models import ReportItem
from shuzhi.scoring.models import Assessment, BulletinTemplate, Result

DEFAULT_BULLETIN = Path(__file__).with_name("bulletin_template.docx")
MAX_TEMPLATE_BYTES = 5 * MB
RECTIFY_DAYS = 30  # the 整改方案 is due this many days after publication
SHOWN = (Assessment.Status.PUBLISHED, Assessment.Status.FINAL)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: the same bytes on every build

# (header, width in cm, centred), filling the 15.6 cm between the margins
_RESULT_COLUMNS = (("排名", 1.6, True), ("单位", 7.2, False), ("书记", 2.6, True), ("综合得分", 2.4, True),
                   ("等次", 1.8, True))  # fmt: skip

# What a template may use, for the people who write one (shown on the template page).
FIELDS = (
    ("cycle_title", _lazy("述职评议考核名称")),
    ("year", _lazy("年度")),
    ("organiser", _lazy("组织单位")),
    ("date", _lazy("公布日期，如 2026年1月20日")),
    ("status", _lazy("结果状态：公示中 / 已确定")),
    ("total", _lazy("参加考核的单位数")),
    (
        "counts.good、counts.fairly_good、counts.average、counts.poor",
        _lazy("好、较好、一般、差 各等次的单位数"),
    ),
    ("grades", _lazy("各等次及其单位数的列表，每项有 grade、count")),
    ("good_units", _lazy("评为“好”等次的单位名称列表")),
    ("groups", _lazy("各分组，每组有 number（一、二…）、name、count、results")),
    ("results", _lazy("全部结果；每项有 rank、unit、secretary、score、grade、group、vetoes")),
)
SYNTAX_HELP = _lazy(
    "在 Word 中用 {{ 字段名 }} 插入字段。表格中每个单位占一行：在单独一行写 {%tr for r in g.results %}，"
    "下一行的各格写 {{ r.rank }}、{{ r.unit }} 等，再下一行写 {%tr endfor %}；整段的循环和条件用 "
    "{%p for … %}、{%p if … %}。标签中的引号请用英文引号（Word 的“自动更正”可能把它换成中文引号）。"
)


# ---- the bulletin ---------------------------------------------------------------------------------


def _published_on(assessment: Assessment) -> date:
    moment = assessment.published_at or timezone.now()
    return timezone.localtime(moment).date()


def _context(
    *, cycle_title: str, year: int, organiser: str, day: date, status: str, rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """The fields a bulletin template sees, from rows already in group and rank order."""
    groups: list[dict[str, Any]] = []
    for row in rows:
        if not groups or groups[-1]["name"] != row["group"]:
            groups.append(
                {"number": documents.chinese_number(len(groups) + 1), "name": row["group"], "results": []}
            )
        groups[-1]["results"].append(row)
    for group in groups:
        group["count"] = len(group["results"])
    counts = {grade.field: sum(1 for row in rows if row["grade"] == grade) for grade in Grade}
    return {
        "cycle_title": cycle_title, "year": year, "organiser": organiser, "date": documents.chinese_date(day),
        "status": status, "total": len(rows), "counts": counts,
        "grades": [{"grade": grade.value, "count": counts[grade.field]} for grade in Grade],
        "good_units": [row["unit"] for row in rows if row["grade"] == Grade.GOOD],
        "groups": groups, "results": rows,
    }  # fmt: skip


def bulletin_context(assessment: Assessment) -> dict[str, Any]:
    """Everything a bulletin template may print, as plain values."""
    cycle = assessment.cycle
    results = (
        Result.objects.filter(assessment=assessment)
        .select_related("reporter__organization", "reporter__secretary")
        .order_by("group", "rank")
    )
    order = {name: i for i, name in enumerate(cycle.groups)}  # the cycle's order of groups, not A–Z
    rows = sorted(
        (
            {"rank": r.rank, "unit": r.reporter.organization.name, "secretary": r.reporter.secretary.full_name,
             "score": str(r.score), "grade": r.grade, "group": r.group, "vetoes": "、".join(r.vetoes)}
            for r in results
        ),
        key=lambda row: (order.get(row["group"], len(order)), row["group"], row["rank"]),
    )  # fmt: skip
    return _context(cycle_title=cycle.title, year=cycle.year, organiser=cycle.organization.name,
                    day=_published_on(assessment), status=assessment.get_status_display(), rows=rows)  # fmt: skip


def sample_context() -> dict[str, Any]:
    """A bulletin's fields with made-up values, to try a template on."""
    rows = [
        {"rank": 1, "unit": "示例镇党委", "secretary": "张三", "score": "93.50", "grade": "好", "group": "乡镇街道", "vetoes": ""},
        {"rank": 2, "unit": "示例街道党工委", "secretary": "李四", "score": "78.20", "grade": "一般", "group": "乡镇街道",
         "vetoes": "核心指标未完成"},
        {"rank": 1, "unit": "示例局党组", "secretary": "王五", "score": "85.00", "grade": "较好", "group": "区直机关", "vetoes": ""},
    ]  # fmt: skip
    return _context(cycle_title="示例区2025年度抓基层党建工作述职评议考核", year=2025, organiser="中共示例区委组织部",
                    day=date(2026, 1, 20), status="已确定", rows=rows)  # fmt: skip


def _environment() -> SandboxedEnvironment:
    # autoescape: a unit named "A&B" must not break the document's XML
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


class TemplateTimeout(TemplateError):
    """The template ran past its time limit (a loop within a loop, say) and was stopped."""


def _render(template: bytes, context: dict[str, Any]) -> bytes:
    document = DocxTemplate(io.BytesIO(template))
    document.render(context, jinja_env=_environment(), autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _render_child(template: bytes, context: dict[str, Any], sender) -> None:
    try:
        result: tuple[str, Any] = ("ok", _render(template, context))
    except Exception as error:
        result = ("error", error)
    try:
        sender.send(result)
    except Exception:  # an error that does not pickle: its words are enough
        sender.send(("error", TemplateError(f"{type(result[1]).__name__}: {result[1]}")))


def render_template(template: bytes, context: dict[str, Any], *, seconds: float | None = None) -> bytes:
    """Fill a docxtpl template in a child process that is killed after `seconds` (the sandbox
    keeps a template from Python; only the clock keeps it from running forever). Jinja's and
    docxtpl's errors pass through (see `_template_error`); past the limit, TemplateTimeout."""
    seconds = settings.TEMPLATE_SECONDS if seconds is None else seconds
    # fork: the child starts at once with everything loaded and touches nothing but the bytes
    context_mp = multiprocessing.get_context("fork")
    receiver, sender = context_mp.Pipe(duplex=False)
    child = context_mp.Process(target=_render_child, args=(template, context, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            child.kill()
            raise TemplateTimeout(str(seconds))
        kind, value = receiver.recv()
    except EOFError:  # the child died without a word (out of memory, killed)
        raise TemplateError("render process ended") from None
    finally:
        receiver.close()
        child.join(5)
    if kind == "error":
        raise value
    return value


def organisation_template(organization: Organization) -> bytes | None:
    """The organisation's own bulletin template, or None when it uses the default."""
    stored = BulletinTemplate.objects.filter(organization=organization).first()
    if stored is None:
        return None
    try:
        with stored.file.open("rb") as handle:
            return handle.read()
    except OSError:
        raise ValidationError(
            _("本单位的通报模板文件已丢失，请重新上传模板，或恢复使用默认模板。"), code="template_missing"
        ) from None


def bulletin_docx(assessment: Assessment, template: bytes | None = None) -> bytes:
    """The bulletin of a published assessment, from `template`, else the organisation's own
    template, else the default one."""
    if template is None:
        template = organisation_template(assessment.cycle.organization) or DEFAULT_BULLETIN.read_bytes()
    try:
        # real data is bigger than the sample the template was checked with: more time, still bounded
        return render_template(template, bulletin_context(assessment), seconds=settings.TEMPLATE_SECONDS * 20)
    except Exception as error:  # a template that passed its check may still fail on real data
        raise _template_error(error, template) from None


# ---- checking and storing an uploaded template ----------------------------------------------------

_UNKNOWN_TAG = re.compile(r"Encountered unknown tag '([^']+)'")
_UNCLOSED = re.compile(r"innermost block that needs to be closed is '([^']+)'")
_UNEXPECTED = re.compile(r"^unexpected '([{}%])'")
_NO_FILTER = re.compile(r"No filter named '([^']+)'")
_UNDEFINED = re.compile(r"'([^']+)' is undefined")
_NO_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")
_TAGS = re.compile(r"<[^>]+>")
_TAG_WORD = re.compile(r"\{%[-+]?(?:p|tr|tc|r)?\s*(\w+)")  # {% for, {%p if, {%tr endfor …
_BLOCKS = frozenset({"for", "if", "macro", "call", "filter", "with", "block", "raw"})


def _syntax_problem(message: str) -> str:
    if match := _UNKNOWN_TAG.search(message):
        return _("不认识的标签“%(tag)s”") % {"tag": match.group(1)}
    if match := _UNCLOSED.search(message):
        block = match.group(1)
        return _("“{%% %(block)s %%}”没有对应的“{%% end%(block)s %%}”") % {"block": block}
    if match := _NO_FILTER.search(message):
        return _("没有名为“%(name)s”的过滤器") % {"name": match.group(1)}
    if match := _UNEXPECTED.search(message):
        return _("有多余或不成对的“%(char)s”，字段应写成 {{ 字段名 }}，标签应写成 {%% … %%}") % {
            "char": match.group(1)
        }
    if "end of print statement" in message:
        return _("占位符没有正确结束，应写成 {{ 字段名 }}")
    if "end of statement block" in message:
        return _("标签没有正确结束，应写成 {% … %}")
    return _("语法错误（%(detail)s）") % {"detail": message}


def _paragraphs(template: bytes) -> list[str]:
    """The text of every paragraph of the body, those in tables included, in document order."""
    try:
        body = docx.Document(io.BytesIO(template)).element.body
    except Exception:  # only to say where an error is: without it, no place is named
        return []
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))).strip() for p in body.iter(qn("w:p"))]


def _opener(paragraphs: list[str], block: str) -> int | None:
    """The paragraph of the innermost `block` tag left open ({% for %} with no {% endfor %})."""
    stack: list[tuple[str, int]] = []
    for index, text in enumerate(paragraphs):
        for word in _TAG_WORD.findall(text):
            if word in _BLOCKS:
                stack.append((word, index))
            elif word.startswith("end"):
                opened = [i for i, (name, _at) in enumerate(stack) if name == word[3:]]
                if opened:
                    del stack[opened[-1]]
    return next((index for word, index in reversed(stack) if word == block), None)


def _where(error: TemplateSyntaxError, template: bytes | None) -> str:
    """Which paragraph the error is in, counted as Word shows them, and its text. docxtpl says
    only where in its own rewriting of the document, so the paragraph is looked up by its text."""
    paragraphs = _paragraphs(template) if template else []
    index = None
    if match := _UNCLOSED.search(error.message or ""):
        index = _opener(paragraphs, match.group(1))
    if index is None and error.lineno:
        context = [_TAGS.sub("", line).strip() for line in getattr(error, "docx_context", None) or []]
        at = error.lineno - 1 - max(error.lineno - 4, 0)
        text = context[at] if 0 <= at < len(context) else ""
        index = next((i for i, p in enumerate(paragraphs) if text and p == text), None)
        if index is None:
            index = next((i for i, p in enumerate(paragraphs) if text and text in p), None)
        if index is None:  # a tag left open runs into the next paragraphs in docxtpl's text
            starts = [(len(p), i) for i, p in enumerate(paragraphs) if p and text.startswith(p)]
            index = max(starts)[1] if starts else None
    if index is None:
        return ""
    return _("第 %(n)d 段（“%(text)s”）") % {"n": index + 1, "text": paragraphs[index][:40]}


def _template_error(error: Exception, template: bytes | None = None) -> ValidationError:
    """A template's failure, said in Chinese with where it is and what to do."""
    if isinstance(error, TemplateTimeout):
        return ValidationError(
            _("模板运行超过 %(s)s 秒仍未完成（可能含有过大的循环），已停止。请简化模板后再上传。")
            % {"s": error},
            code="template_timeout",
        )
    if isinstance(error, TemplateSyntaxError):
        where = _where(error, template)
        problem = _syntax_problem(error.message or str(error))
        message = (
            _("模板%(where)s有错误：%(problem)s。") % {"where": where, "problem": problem}
            if where
            else _("模板有错误：%(problem)s。") % {"problem": problem}
        )
        return ValidationError(message, code="template_syntax")
    if isinstance(error, UndefinedError):
        match = _UNDEFINED.search(str(error)) or _NO_ATTRIBUTE.search(str(error))
        name = match.group(1) if match else str(error)
        return ValidationError(
            _("模板中的“%(name)s”不是可用的字段，请对照模板页面列出的字段名修改。") % {"name": name},
            code="template_field",
        )
    if isinstance(error, SecurityError):
        return ValidationError(
            _("模板中含有不允许的操作：%(detail)s") % {"detail": error}, code="template_unsafe"
        )
    if isinstance(error, TemplateError):
        return ValidationError(_("模板无法生成通报：%(detail)s") % {"detail": error}, code="template_error")
    return ValidationError(
        _("模板无法生成通报（%(kind)s：%(detail)s），请检查模板中的标签。")
        % {"kind": type(error).__name__, "detail": error},
        code="template_error",
    )


def template_check(data: bytes) -> None:
    """Refuse a template that is not a safe .docx, or that does not render with the bulletin's
    fields; the message says what is wrong and where."""
    check_upload(io.BytesIO(data), len(data), allowed=frozenset({DOCX}), max_bytes=MAX_TEMPLATE_BYTES)
    context = sample_context()
    try:
        rendered = render_template(data, context)
        docx.Document(io.BytesIO(rendered))  # what it makes must open again
        # names in branches the sample did not take ({% if %} that was false) are checked too
        unknown = DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables(_environment(), context)
    except Exception as error:  # whatever the template makes go wrong, it is the template's fault
        raise _template_error(error, data) from None
    if unknown:
        raise ValidationError(
            _("模板中的%(names)s不是可用的字段，请对照模板页面列出的字段名修改。")
            % {"names": "、".join(f"“{name}”" for name in sorted(unknown))},
            code="template_field",
        )


def _check_owner(actor, organization: Organization) -> None:
    if actor.role != Role.ORGANISER or actor.organization_id != organization.pk:
        raise ValidationError(_("只有本单位组织部账号可以更换通报模板。"), code="not_owner")


@transaction.atomic
def bulletin_template_upload(
    *, actor, organization: Organization, upload: IO[bytes], size: int, name: str
) -> BulletinTemplate:
    """Replace the organisation's bulletin template with an uploaded one that renders; a template
    that does not is refused and the current one stays."""
    _check_owner(actor, organization)
    check_upload(upload, size, allowed=frozenset({DOCX}), max_bytes=MAX_TEMPLATE_BYTES)
    data = upload.read()
    template_check(data)
    stored = BulletinTemplate.objects.select_for_update().filter(organization=organization).first()
    old_file = stored.file.name if stored else ""
    stored = stored or BulletinTemplate(organization=organization)
    stored.file.save("bulletin-template.docx", ContentFile(data), save=False)
    stored.original_name, stored.uploaded_by = name[-200:], actor
    stored.full_clean()
    stored.save()
    audit_record(actor=actor, action="bulletin.template_upload", target=organization, org_path=organization.path,
                 extra={"file": stored.original_name, "sha256": hashlib.sha256(data).hexdigest(), "replaced": bool(old_file)})  # fmt: skip
    if old_file:
        storage = stored.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return stored


@transaction.atomic
def bulletin_template_reset(*, actor, organization: Organization) -> None:
    """Go back to the default template."""
    _check_owner(actor, organization)
    stored = BulletinTemplate.objects.select_for_update().filter(organization=organization).first()
    if stored is None:
        return
    old_file, storage = stored.file.name, stored.file.storage
    audit_record(actor=actor, action="bulletin.template_reset", target=organization, org_path=organization.path,
                 extra={"file": stored.original_name})  # fmt: skip
    stored.delete()
    transaction.on_commit(lambda: storage.delete(old_file))


# ---- the default template -------------------------------------------------------------------------


def build_default_template() -> bytes:
    """The default bulletin template: A4 in the official layout (方正小标宋 title, 黑体 headings,
    楷体 sub-headings, 仿宋 body) with docxtpl placeholders; the same bytes on every build."""
    document = documents.new_document(title="考核结果通报", subject="述职评议考核")
    documents.title_block(document, "关于{{ cycle_title }}结果的通报")
    documents.line(document, "各有关党组织：", indent=False)
    documents.line(
        document,
        "按照抓基层党建工作述职评议考核的有关要求，{{ organiser }}组织开展了{{ year }}年度党组织书记"
        "抓基层党建工作述职评议考核。经现场述职、评议测评和综合考核，现将考核结果通报如下。",
    )
    documents.heading(document, "一、总体情况")
    documents.line(
        document,
        "本次共有{{ total }}个单位党组织书记参加述职评议考核。其中，“好”等次{{ counts.good }}个，"
        "“较好”等次{{ counts.fairly_good }}个，“一般”等次{{ counts.average }}个，“差”等次{{ counts.poor }}个。",
    )
    documents.line(document, "{%p if good_units %}")
    documents.line(document, '评为“好”等次的单位：{{ good_units|join("、") }}。')
    documents.line(document, "{%p endif %}")
    documents.heading(document, "二、考核结果")
    documents.line(document, "{%p for g in groups %}")
    documents.heading(
        document,
        "（{{ g.number }}）{{ g.name }}（{{ g.count }}个）",
        font=documents.SIGNATURE_FONT,
        level=None,
    )
    documents.table(
        document,
        _RESULT_COLUMNS,
        [
            ("{%tr for r in g.results %}", "", "", "", ""),
            ("{{ r.rank }}", "{{ r.unit }}", "{{ r.secretary }}", "{{ r.score }}", "{{ r.grade }}"),
            ("{%tr endfor %}", "", "", "", ""),
        ],
    )
    documents.line(document, "{%p endfor %}")
    documents.heading(document, "三、有关要求")
    documents.line(
        document,
        "各单位党组织书记要对照评议意见和问题清单，认真制定整改方案，明确整改措施、责任人和完成时限，"
        "于结果公布之日起"
        + str(RECTIFY_DAYS)
        + "日内报{{ organiser }}。考核结果作为评价党组织书记履行"
        + "抓基层党建工作责任情况的重要依据。",
    )
    documents.signature(document, "{{ organiser }}", "{{ date }}")
    return _reproducible(documents.save(document))


def _reproducible(data: bytes) -> bytes:
    """The same archive with fixed member times, so that a build can be compared with the file."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def write_default_template() -> Path:
    DEFAULT_BULLETIN.write_bytes(build_default_template())
    return DEFAULT_BULLETIN


# ---- the rectification notice ---------------------------------------------------------------------


def rectify_due(assessment: Assessment) -> date:
    return _published_on(assessment) + timedelta(days=RECTIFY_DAYS)


def notice_docx(result: Result) -> bytes:
    """整改通知书 for one reporter: their grade and score, the committee's 点评 (the presiding
    secretary's first) and the problems of their report, and when the 整改方案 is due."""
    assessment = result.assessment
    cycle = assessment.cycle
    reporter = result.reporter
    unit, secretary = reporter.organization.name, reporter.secretary.full_name
    comments = list(
        Comment.objects.filter(Q(reporter=reporter) | Q(is_final=True), meeting__cycle=cycle)
        .select_related("author")
        .order_by("-is_final", "created_at", "pk")
    )  # the presiding secretary's overall comment on the meeting first, then those on this unit
    problems = list(
        ReportItem.objects.filter(report__reporter=reporter, kind=ReportItem.Kind.PROBLEM).order_by(
            "position", "pk"
        )
    )
    group_size = Result.objects.filter(assessment=assessment, group=result.group).count()
    document = documents.new_document(title=f"{unit}整改通知书", subject=cycle.title)
    documents.title_block(document, "整改通知书", cycle.title)
    documents.line(document, f"{unit}（{secretary}同志）：", indent=False)
    documents.line(
        document,
        f"在{cycle.title}中，经现场述职、评议测评和综合考核，你单位党组织书记抓基层党建工作综合得分"
        f"{result.score}分，考核等次为“{result.grade}”（{result.group}组{group_size}个单位中第{result.rank}名）。"
        "现将评议意见和存在的问题反馈如下，请认真抓好整改。",
    )
    if result.vetoes:
        documents.line(document, f"经核实，存在以下否决情形：{'、'.join(result.vetoes)}。")
    documents.heading(document, "一、评议意见")
    for comment in comments:
        documents.line(document, f"{_comment_by(comment)}：{comment.text}")
    if not any(not comment.is_final for comment in comments):
        documents.line(
            document, "本次评议没有针对你单位的点评意见。" if comments else "本次评议没有点评意见。"
        )
    documents.heading(document, "二、存在的问题")
    for number, item in enumerate(problems, start=1):
        category = f"（{item.category}）" if item.category else ""
        documents.line(document, f"{number}. {item.text}{category}")
    if not problems:
        documents.line(document, "述职报告中未列出问题。请对照评议意见自行查摆。")
    documents.heading(document, "三、整改要求")
    due = rectify_due(assessment)
    documents.line(
        document,
        f"请对照上述评议意见和问题，逐项制定整改方案，明确整改措施、责任人和完成时限，"
        f"于{documents.chinese_date(due)}前报{cycle.organization.name}。整改情况将纳入下一年度述职评议内容。",
    )
    documents.signature(document, cycle.organization.name, documents.chinese_date(_published_on(assessment)))
    return documents.save(document)


def _comment_by(comment: Comment) -> str:
    if comment.is_final:
        return "总体点评（" + comment.author.full_name + "）"
    if comment.portfolio:
        return f"{comment.author.full_name}（{comment.portfolio}）"
    return comment.author.full_name


# ---- the cadre-assessment export ------------------------------------------------------------------

CADRE_HEADERS = ("姓名", "单位", "党建考核等次", "综合得分", "可评为优秀", "否决情形")


def cadre_rows(assessment: Assessment) -> list[tuple]:
    """One row per secretary for the annual cadre assessment: only a 好 in party building lets a
    secretary be rated 优秀 there."""
    results = (
        Result.objects.filter(assessment=assessment)
        .select_related("reporter__organization", "reporter__secretary")
        .order_by("group", "rank", "pk")
    )
    return [
        (r.reporter.secretary.full_name, r.reporter.organization.name, r.grade, r.score,
         "是" if r.grade == Grade.GOOD else "否", "、".join(r.vetoes))
        for r in results
    ]  # fmt: skip
