import hashlib
import json
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.ballots.models import BallotMark, Meeting
from shuzhi.ballots.services import tally_counts
from shuzhi.core import facts
from shuzhi.core.errors import field_error
from shuzhi.core.grades import Counts, Grade
from shuzhi.core.roles import Role
from shuzhi.core.services import audit_record, notify
from shuzhi.cycles.models import Cycle, Reporter
from shuzhi.exchange import rules as cells
from shuzhi.exchange.workbook import check_upload as sheet_check_upload
from shuzhi.exchange.workbook import read_sheet
from shuzhi.scoring import rules
from shuzhi.scoring.models import (
    Adjustment,
    Amendment,
    Assessment,
    ComponentScore,
    Objection,
    Result,
    VetoFinding,
)

MAX_SHEET_BYTES = 8 * 1024 * 1024
ENTERING_STATES = (Cycle.Status.MEETING, Cycle.Status.ASSESSING)


def _check_owner(actor, cycle: Cycle) -> None:
    if actor.role != Role.ORGANISER or actor.organization_id != cycle.organization_id:
        raise ValidationError(_("只有本周期组织单位的组织部账号可以进行考核评定。"), code="not_owner")


def _check_entering(cycle: Cycle) -> None:
    if cycle.status not in ENTERING_STATES:
        raise ValidationError(
            _("考核得分在评议会议和考核评定阶段录入；结果公布后如需更正，请使用“结果更正”。"),
            code="not_entering",
        )
    if Assessment.objects.filter(cycle=cycle).exclude(status=Assessment.Status.COMPUTED).exists():
        raise ValidationError(_("考核结果已公布，得分不能再修改。"), code="published")


def entered_components(cycle: Cycle) -> list[str]:
    return [c["name"] for c in cycle.scheme.get("components", []) if c.get("source", "entered") == "entered"]


def _score(value: Any) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(_("应为 0 到 100 的数字")) from None
    if not score.is_finite() or not 0 <= score <= 100:
        raise ValueError(_("得分应在 0 到 100 之间"))
    return score.quantize(Decimal("0.01"))


@transaction.atomic
def component_score_set(
    *, actor, reporter: Reporter, component: str, score: Any, source: str = "页面录入"
) -> ComponentScore:
    cycle = reporter.cycle
    _check_owner(actor, cycle)
    _check_entering(cycle)
    if component not in entered_components(cycle):
        raise field_error(
            "component", _("“%(c)s”不是本周期需要录入的考核项目。") % {"c": component}, "component"
        )
    try:
        value = _score(score)
    except ValueError as error:
        raise field_error("score", str(error), "score") from None
    before = (
        ComponentScore.objects.filter(reporter=reporter, component=component)
        .values_list("score", flat=True)
        .first()
    )
    entry, _created = ComponentScore.objects.update_or_create(
        reporter=reporter,
        component=component,
        defaults={"score": value, "entered_by": actor, "source": source},
    )
    audit_record(actor=actor, action="score.set", target=reporter, org_path=cycle.org_path,
                 before={component: before}, after={component: value})  # fmt: skip
    return entry


UNIT_HEADERS = (
    "述职单位",
    "单位",
    "单位名称",
    "组织编码",
    "述职单位名称",
    "党组织",
    "党组织名称",
    "组织名称",
)


@transaction.atomic
def component_scores_set(*, actor, reporter: Reporter, scores: Mapping[str, Any]) -> int:
    """A reporter's entered components from one form: all of them, or none if one is refused.
    Blank and unchanged values are left as they are; returns how many changed."""
    current = dict(ComponentScore.objects.filter(reporter=reporter).values_list("component", "score"))
    changed = 0
    for component, score in scores.items():
        if score is not None and score != current.get(component):
            component_score_set(actor=actor, reporter=reporter, component=component, score=score)
            changed += 1
    return changed


@transaction.atomic
def scores_import(*, actor, cycle: Cycle, upload: IO[bytes], name: str, size: int) -> int:
    """Entered component scores from an .xlsx: a 述职单位 column (name or code) and one column per
    component. Any bad row: nothing is saved, and every problem is reported by row and column.

    Read the way rosters are (exchange.workbook): the upload checked by content, the header found
    below any title rows, empty and 合计 rows skipped, codes typed as numbers read as typed."""
    _check_owner(actor, cycle)
    _check_entering(cycle)
    sheet_check_upload(upload, size, max_bytes=MAX_SHEET_BYTES)
    components = entered_components(cycle)
    lookup = {cells.normalise_header(header): UNIT for header in UNIT_HEADERS}
    lookup.update({cells.normalise_header(component): component for component in components})
    sheet = read_sheet(upload, lookup=lookup)
    columns: dict[str, int] = {}
    for index, cell in enumerate(sheet.header):
        key = next((lookup[h] for h in cells.header_names(cell) if h in lookup), None)
        if key is not None:
            columns.setdefault(key, index)
    if UNIT not in columns:
        raise ValidationError(
            _("第 %(row)d 行缺少“述职单位”列（填单位名称或组织编码）。") % {"row": sheet.header_row},
            code="missing_column",
        )
    unit_column = columns.pop(UNIT)
    if not columns:
        raise ValidationError(
            _("第 %(row)d 行没有考核项目列，应有：%(names)s。")
            % {"row": sheet.header_row, "names": "、".join(components)},
            code="missing_column",
        )
    reporters = list(cycle.reporters.select_related("organization"))
    by_ref = {r.organization.name: r for r in reporters} | {r.organization.code: r for r in reporters}
    problems, values, seen = [], [], {}
    for index, row in enumerate(sheet.rows):
        number = sheet.number(index)
        raw = row[unit_column] if unit_column < len(row) else ""
        try:
            ref = cells.text(raw)
        except cells.CellError:
            ref = str(raw)
        letter = cells.column_letter(unit_column)
        reporter = by_ref.get(ref) or by_ref.get(cells.compact(ref))
        if reporter is None:
            problems.append(
                _("第 %(row)d 行 %(col)s 列“%(value)s”：不是本周期的述职单位。")
                % {"row": number, "col": letter, "value": ref}
            )
            continue
        if reporter.pk in seen:
            problems.append(
                _("第 %(row)d 行：与第 %(first)d 行是同一单位。")
                % {"row": number, "first": seen[reporter.pk]}
            )
            continue
        seen[reporter.pk] = number
        for component, position in columns.items():
            cell = row[position] if position < len(row) else ""
            if cells.is_blank(cell):
                continue
            try:
                values.append((reporter, component, _score(cell)))
            except ValueError as error:
                problems.append(_("第 %(row)d 行 %(col)s 列（%(name)s）“%(value)s”：%(why)s。") % {
                    "row": number, "col": cells.column_letter(position), "name": component, "value": _shown(cell),
                    "why": error})  # fmt: skip
    if problems:
        raise ValidationError([ValidationError(p, code="row") for p in problems])
    for reporter, component, value in values:
        ComponentScore.objects.update_or_create(
            reporter=reporter,
            component=component,
            defaults={"score": value, "entered_by": actor, "source": name[-120:]},
        )
    audit_record(actor=actor, action="score.import", target=cycle, org_path=cycle.org_path,
                 extra={"file": name, "scores": len(values), "rows": len(sheet.rows)})  # fmt: skip
    return len(values)


UNIT = "unit"


def _shown(cell: object) -> object:
    """A cell as the person typed it: Excel keeps every number as a float."""
    return int(cell) if isinstance(cell, float) and cell.is_integer() else cell


@transaction.atomic
def adjustment_add(*, actor, reporter: Reporter, points: Decimal, reason: str) -> Adjustment:
    cycle = reporter.cycle
    _check_owner(actor, cycle)
    _check_entering(cycle)
    if not reason.strip():
        raise field_error("reason", _("请写明加减分的理由。"), "reason")
    if points == 0:
        raise field_error("points", _("分值不能为 0：加分填正数，减分填负数。"), "zero")
    adjustment = Adjustment(reporter=reporter, points=points, reason=reason.strip(), entered_by=actor)
    adjustment.full_clean()
    adjustment.save()
    audit_record(actor=actor, action="score.adjust", target=reporter, org_path=cycle.org_path,
                 extra={"points": points, "reason": adjustment.reason})  # fmt: skip
    return adjustment


@transaction.atomic
def adjustment_remove(*, actor, adjustment: Adjustment) -> None:
    cycle = adjustment.reporter.cycle
    _check_owner(actor, cycle)
    _check_entering(cycle)
    audit_record(actor=actor, action="score.adjust_remove", target=adjustment.reporter, org_path=cycle.org_path,
                 extra={"points": adjustment.points, "reason": adjustment.reason})  # fmt: skip
    adjustment.delete()


@transaction.atomic
def veto_record(*, actor, reporter: Reporter, veto: str, note: str) -> VetoFinding:
    cycle = reporter.cycle
    _check_owner(actor, cycle)
    _check_entering(cycle)
    if veto not in cycle.scheme.get("vetoes", {}):
        raise field_error("veto", _("“%(v)s”不是本周期考核方案中的否决情形。") % {"v": veto}, "veto")
    if not note.strip():
        raise field_error("note", _("请写明依据（例如问责文件文号）。"), "note")
    finding, _created = VetoFinding.objects.update_or_create(
        reporter=reporter, veto=veto, defaults={"note": note.strip(), "entered_by": actor}
    )
    audit_record(
        actor=actor,
        action="score.veto",
        target=reporter,
        org_path=cycle.org_path,
        extra={"veto": veto, "note": finding.note},
    )
    return finding


@transaction.atomic
def veto_remove(*, actor, finding: VetoFinding) -> None:
    cycle = finding.reporter.cycle
    _check_owner(actor, cycle)
    _check_entering(cycle)
    audit_record(
        actor=actor,
        action="score.veto_remove",
        target=finding.reporter,
        org_path=cycle.org_path,
        extra={"veto": finding.veto},
    )
    finding.delete()


# ---- computing --------------------------------------------------------------------------------------


def scheme_hash(scheme: dict) -> str:
    return hashlib.sha256(json.dumps(scheme, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def assessment_inputs(cycle: Cycle) -> tuple[list[rules.ReporterInput], dict[int, dict[str, Any]]]:
    """Everything the engine needs, as plain values, and for each reporter where it came from."""
    reporters = list(cycle.reporters.values_list("pk", "group"))
    meeting = Meeting.objects.filter(cycle=cycle).first()
    ballots: dict[int, dict[str, Counts]] = {pk: {} for pk, _g in reporters}
    items: dict[int, Decimal] = {}
    class_map: dict[str, str] = {}  # voter class → the scheme class it counts under (VoterClass.scheme_class)
    if meeting is not None:
        classes = dict(meeting.classes.values_list("pk", "name"))
        class_map = {
            name: scheme_class or "*"
            for name, scheme_class in meeting.classes.values_list("name", "scheme_class")
        }
        for (reporter, class_id), c in tally_counts(meeting).items():
            if reporter in ballots:
                ballots[reporter][classes[class_id]] = Counts(
                    c["good"], c["fairly_good"], c["average"], c["poor"]
                )
        if meeting.items:
            items = _item_means(meeting)
    sources: dict[int, dict[str, Any]] = {
        pk: {"entered": {}, "adjustments": [], "vetoes": []} for pk, _g in reporters
    }
    entered: dict[int, dict[str, Decimal | None]] = {pk: {} for pk, _g in reporters}
    scores = ComponentScore.objects.filter(reporter__cycle=cycle).values_list(
        "reporter_id", "component", "score", "entered_by__full_name", "source", "updated_at"
    )
    for reporter, component, score, by, source, at in scores:
        entered[reporter][component] = score
        sources[reporter]["entered"][component] = {
            "score": str(score),
            "by": by,
            "source": source,
            "at": at.isoformat(),
        }
    adjustments: dict[int, list[Decimal]] = {pk: [] for pk, _g in reporters}
    rows = Adjustment.objects.filter(reporter__cycle=cycle).values_list(
        "reporter_id", "points", "reason", "entered_by__full_name"
    )
    for reporter, points, reason, by in rows:
        adjustments[reporter].append(points)
        sources[reporter]["adjustments"].append({"points": str(points), "reason": reason, "by": by})
    vetoes: dict[int, list[str]] = {pk: [] for pk, _g in reporters}
    findings = VetoFinding.objects.filter(reporter__cycle=cycle).values_list(
        "reporter_id", "veto", "note", "entered_by__full_name"
    )
    for reporter, veto, note, by in findings:
        vetoes[reporter].append(veto)
        sources[reporter]["vetoes"].append({"veto": veto, "note": note, "by": by})
    _facts_gather(cycle, entered, vetoes, sources)
    inputs = [
        rules.ReporterInput(id=pk, group=group, ballots=ballots[pk], class_map=class_map, item_score=items.get(pk),
                            entered=entered[pk], adjustments=tuple(adjustments[pk]), vetoes=tuple(vetoes[pk]))
        for pk, group in reporters
    ]  # fmt: skip
    return inputs, sources


def _fact_record(source: facts.FactSource, fact: facts.Fact) -> dict[str, Any]:
    return {"key": source.key, "label": str(source.label), "value": _text(fact.value), "holds": fact.holds,
            "summary": fact.summary, "evidence": [e.as_data() for e in fact.evidence]}  # fmt: skip


def _facts_gather(
    cycle: Cycle,
    entered: dict[int, dict[str, Decimal | None]],
    vetoes: dict[int, list[str]],
    sources: dict[int, dict[str, Any]],
) -> None:
    """Components scored from the platform's facts, and vetoes found from them: each source is
    asked once for every reporting unit, and what it answered is kept as the evidence."""
    scheme = cycle.scheme
    wanted = [c for c in scheme.get("components", []) if c.get("source") == "fact"]
    veto_rules = {name: rule for name, rule in scheme.get("vetoes", {}).items() if rule.get("fact")}
    if not wanted and not veto_rules:
        return
    reporters = list(
        cycle.reporters.values_list("pk", "organization_id", "organization__path", "organization__name")
    )
    subjects = [facts.Subject(id=org, path=path, name=name) for _pk, org, path, name in reporters]
    answers: dict[str, dict[int, facts.Fact]] = {}
    for key in {c["fact"] for c in wanted} | {r["fact"] for r in veto_rules.values()}:
        if facts.get(key) is None:
            raise ValidationError(
                _("考核方案用到的数据来源“%(key)s”已不存在。") % {"key": key}, code="unknown_fact"
            )
        answers[key] = facts.collect(key, year=cycle.year, subjects=subjects)
    for pk, org, _path, _name in reporters:
        for component in wanted:
            source, fact = facts.get(component["fact"]), answers[component["fact"]][org]
            entered[pk][component["name"]] = None if fact.value is None else rules.round2(fact.value)
            sources[pk].setdefault("facts", {})[component["name"]] = _fact_record(source, fact)
        for name, rule in veto_rules.items():
            source, fact = facts.get(rule["fact"]), answers[rule["fact"]][org]
            fires = fact.holds if source.kind == facts.FactKind.CONDITION else (
                fact.value is not None and fact.value < Decimal(rule["below"])
            )  # fmt: skip
            if fires and name not in vetoes[pk]:
                vetoes[pk].append(name)
                sources[pk]["vetoes"].append({"veto": name, "note": fact.summary, "by": str(source.label),
                                              "fact": _fact_record(source, fact)})  # fmt: skip


def _item_means(meeting: Meeting) -> dict[int, Decimal]:
    """Each reporter's mean item score on the ballots, on a 0–100 scale."""
    totals: dict[int, list[int]] = {}
    for reporter, scores in BallotMark.objects.filter(ballot__meeting=meeting).values_list(
        "reporter_id", "scores"
    ):
        if scores:
            total = totals.setdefault(reporter, [0, 0])
            total[0] += sum(scores)
            total[1] += len(scores)
    return {r: Decimal(s) * 100 / (Decimal(n) * meeting.item_max) for r, (s, n) in totals.items() if n}


def _explanation(r: rules.Result, source: dict[str, Any]) -> dict[str, Any]:
    """Everything the engine said about one reporter, as JSON-ready values."""
    text = _text
    return {
        "components": [
            {"name": c.name, "weight": c.weight, "source": c.source, "score": text(c.score),
             "used_weight": text(c.used_weight), "zeroed_by": c.zeroed_by}
            for c in r.components
        ],
        "class_parts": [
            {"name": p.name, "classes": list(p.classes), "counts": list(p.counts), "score": text(p.score), "weight": text(p.weight)}
            for p in r.class_parts
        ],
        "ballot_grade_score": text(r.ballot_grade_score), "base": text(r.base), "bonus": text(r.bonus),
        "deduction": text(r.deduction), "score": text(r.score), "grade_by_score": r.grade_by_score,
        "vetoes": list(r.vetoes), "grade": r.grade, "quota_cut": r.quota_cut, "rank": r.rank,
        "good_rate": text(r.good_rate), "committee_good_rate": text(r.committee_good_rate),
        "good_or_fair_rate": text(r.good_or_fair_rate), "sources": source,
    }  # fmt: skip


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _results_write(
    assessment: Assessment, results: list[rules.Result], sources: dict[int, dict[str, Any]]
) -> None:
    """Replace the stored results. Before publication no objection or amendment can point at
    them, so a plain DELETE will do; on PostgreSQL the new rows go in by COPY."""
    table = Result._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE assessment_id = %s", [assessment.pk])  # noqa: S608
        if connection.vendor == "postgresql":
            columns = 'assessment_id, reporter_id, "group", score, grade, grade_by_score, rank, quota_cut, vetoes, explanation'
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for r in results:
                    copy.write_row((assessment.pk, r.id, r.group, r.score, r.grade, r.grade_by_score, r.rank, r.quota_cut,
                                    json.dumps(list(r.vetoes), ensure_ascii=False),
                                    json.dumps(_explanation(r, sources[r.id]), ensure_ascii=False)))  # fmt: skip
            return
    Result.objects.bulk_create(
        (
            Result(assessment=assessment, reporter_id=r.id, group=r.group, score=r.score, grade=r.grade,
                   grade_by_score=r.grade_by_score, rank=r.rank, quota_cut=r.quota_cut, vetoes=list(r.vetoes),
                   explanation=_explanation(r, sources[r.id]))
            for r in results
        ),
        batch_size=500,
    )  # fmt: skip


@transaction.atomic
def assessment_compute(*, actor, cycle: Cycle) -> Assessment:
    """Work out every reporter's score, grade and rank under the cycle's scheme, and store them
    with the scheme used. May be run again until the results are published."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _check_owner(actor, cycle)
    if cycle.status != Cycle.Status.ASSESSING:
        raise ValidationError(_("请先把周期推进到“考核评定”阶段。"), code="cycle_state")
    meeting = Meeting.objects.filter(cycle=cycle).first()
    if meeting is not None and meeting.status != Meeting.Status.TALLIED:
        raise ValidationError(_("评议会议的计票还没有确认，请先确认计票。"), code="not_tallied")
    existing = Assessment.objects.filter(cycle=cycle).first()
    if existing is not None and existing.status != Assessment.Status.COMPUTED:
        raise ValidationError(_("考核结果已公布，不能重新测算；如需更正请使用“结果更正”。"), code="published")
    scheme = rules.Scheme.from_data(cycle.scheme)
    inputs, sources = assessment_inputs(cycle)
    results = rules.assess(inputs, scheme)
    now = timezone.now()
    assessment, _created = Assessment.objects.update_or_create(
        cycle=cycle,
        defaults={"scheme": cycle.scheme, "scheme_hash": scheme_hash(cycle.scheme), "computed_at": now,
                  "computed_by": actor, "status": Assessment.Status.COMPUTED},
    )  # fmt: skip
    _results_write(assessment, results, sources)
    counts = {grade: sum(1 for r in results if r.grade == grade) for grade in Grade}
    audit_record(actor=actor, action="assessment.compute", target=cycle, org_path=cycle.org_path,
                 extra={"reporters": len(results), "grades": counts, "scheme_hash": assessment.scheme_hash})  # fmt: skip
    return assessment


def assessment_check_final(cycle: Cycle) -> None:
    """What the cycle asks before it is archived (cycles.hooks): the results must be final."""
    if not Assessment.objects.filter(cycle=cycle, status=Assessment.Status.FINAL).exists():
        raise ValidationError(_("考核结果确定（公示期结束）后才能归档。"), code="not_final")


def _seal(assessment: Assessment) -> str:
    rows = list(
        assessment.results.order_by("reporter_id").values_list(
            "reporter_id", "score", "grade", "rank", "vetoes"
        )
    )
    amendments = list(
        Amendment.objects.filter(result__assessment=assessment)
        .order_by("pk")
        .values_list("pk", "after", "reason")
    )
    payload = json.dumps({"scheme": assessment.scheme_hash, "results": _plain(rows), "amendments": _plain(amendments)},
                         sort_keys=True, ensure_ascii=False)  # fmt: skip
    return hashlib.sha256(payload.encode()).hexdigest()


@transaction.atomic
def assessment_publish(*, actor, cycle: Cycle, objection_days: int) -> Assessment:
    """Publish the results (公示); with an objection period, objections may be raised until it ends."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _check_owner(actor, cycle)
    assessment = Assessment.objects.select_for_update().filter(cycle=cycle).first()
    if assessment is None or assessment.status != Assessment.Status.COMPUTED:
        raise ValidationError(_("请先测算考核结果。"), code="not_computed")
    if not 0 <= objection_days <= 30:
        raise field_error("objection_days", _("公示期应为 0 到 30 天。"), "range")
    now = timezone.now()
    assessment.status, assessment.published_at = Assessment.Status.PUBLISHED, now
    assessment.objection_until = (
        timezone.localdate() + timedelta(days=objection_days) if objection_days else None
    )
    assessment.save(update_fields=["status", "published_at", "objection_until", "updated_at"])
    cycle.status = Cycle.Status.PUBLISHED
    cycle.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="assessment.publish", target=cycle, org_path=cycle.org_path,
                 before={"status": Cycle.Status.ASSESSING}, after={"status": cycle.status},
                 extra={"objection_until": assessment.objection_until})  # fmt: skip
    _notify_published(cycle, assessment)
    if not objection_days:
        _finalise(actor, cycle, assessment)
    return assessment


def _notify_published(cycle: Cycle, assessment: Assessment) -> None:
    """Tell each reporting secretary that their result is out, with a link to it (the workbench
    shows it too)."""
    results = assessment.results.select_related("reporter__secretary")
    for result in results:
        notify(
            recipients=[result.reporter.secretary],
            text=_("“%(title)s”考核结果已公布，请查看本人的结果。") % {"title": cycle.title},
            link=reverse("scoring:explain", args=[result.pk]),
        )


@transaction.atomic
def objection_raise(*, actor, result: Result, text: str) -> Objection:
    assessment = result.assessment
    is_reporter = result.reporter.secretary_id == actor.pk
    if not (
        is_reporter
        or (actor.role == Role.ORGANISER and actor.organization_id == assessment.cycle.organization_id)
    ):
        raise ValidationError(_("只有本人或组织部可以对该结果提出异议。"), code="not_allowed")
    if assessment.status != Assessment.Status.PUBLISHED or (
        assessment.objection_until and timezone.localdate() > assessment.objection_until
    ):
        raise ValidationError(_("不在公示期内，不能提出异议。"), code="closed")
    if not text.strip():
        raise field_error("text", _("请写明异议的内容和理由。"), "required")
    objection = Objection.objects.create(result=result, raised_by=actor, text=text.strip())
    audit_record(actor=actor, action="assessment.objection", target=assessment.cycle, org_path=assessment.cycle.org_path,
                 extra={"reporter": result.reporter_id})  # fmt: skip
    return objection


@transaction.atomic
def objection_answer(*, actor, objection: Objection, answer: str) -> Objection:
    cycle = objection.result.assessment.cycle
    _check_owner(actor, cycle)
    if not answer.strip():
        raise field_error("answer", _("请填写答复。"), "required")
    objection.answer, objection.answered_by, objection.answered_at = answer.strip(), actor, timezone.now()
    objection.save(update_fields=["answer", "answered_by", "answered_at", "updated_at"])
    audit_record(actor=actor, action="assessment.objection_answer", target=cycle, org_path=cycle.org_path,
                 extra={"reporter": objection.result.reporter_id})  # fmt: skip
    return objection


def _finalise(actor, cycle: Cycle, assessment: Assessment) -> None:
    assessment.status, assessment.finalised_at = Assessment.Status.FINAL, timezone.now()
    assessment.seal = _seal(assessment)
    assessment.save(update_fields=["status", "finalised_at", "seal", "updated_at"])
    audit_record(
        actor=actor,
        action="assessment.finalise",
        target=cycle,
        org_path=cycle.org_path,
        extra={"seal": assessment.seal},
    )


@transaction.atomic
def assessment_finalise(*, actor, cycle: Cycle) -> Assessment:
    """End the objection period: every objection answered, the results become final and sealed."""
    _check_owner(actor, cycle)
    assessment = Assessment.objects.select_for_update().get(cycle=cycle)
    if assessment.status != Assessment.Status.PUBLISHED:
        raise ValidationError(_("只有公示中的结果可以确定。"), code="not_published")
    if assessment.objection_until and timezone.localdate() <= assessment.objection_until:
        raise ValidationError(
            _("公示期至 %(until)s，期间可以提出异议；请在公示期满后（%(next)s 起）再确定并封存结果。")
            % {"until": assessment.objection_until.isoformat(),
               "next": (assessment.objection_until + timedelta(days=1)).isoformat()},
            code="publicity_running",
        )  # fmt: skip
    open_ones = Objection.objects.filter(result__assessment=assessment, answered_at__isnull=True).count()
    if open_ones:
        raise ValidationError(
            _("还有 %(n)d 条异议没有答复，请答复后再确定结果。") % {"n": open_ones}, code="objections_open"
        )
    _finalise(actor, cycle, assessment)
    return assessment


def seal_intact(assessment: Assessment) -> bool:
    return bool(assessment.seal) and assessment.seal == _seal(assessment)


@transaction.atomic
def result_amend(*, actor, result: Result, grade: str, reason: str) -> Amendment:
    """Correct a final result's grade: visible with its reason, audited, and sealed again."""
    assessment = Assessment.objects.select_for_update().get(pk=result.assessment_id)
    _check_owner(actor, assessment.cycle)
    if assessment.status != Assessment.Status.FINAL:
        raise ValidationError(_("结果确定之前请重新测算，不需要更正。"), code="not_final")
    if grade not in Grade.values:
        raise field_error("grade", _("等次只能是 好、较好、一般、差。"), "grade")
    if len(reason.strip()) < 4:
        raise field_error("reason", _("请写明更正理由（至少 4 个字）。"), "reason")
    before = {"grade": result.grade}
    result.grade = grade
    result.save(update_fields=["grade"])
    amendment = Amendment.objects.create(
        result=result, before=before, after={"grade": grade}, reason=reason.strip(), amended_by=actor
    )
    assessment.seal = _seal(assessment)
    assessment.save(update_fields=["seal", "updated_at"])
    audit_record(actor=actor, action="assessment.amend", target=assessment.cycle, org_path=assessment.cycle.org_path,
                 before=before, after={"grade": grade}, extra={"reporter": result.reporter_id, "reason": amendment.reason})  # fmt: skip
    return amendment
