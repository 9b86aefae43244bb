"""Reads of the year's commitments, already scoped to what the viewer may see (their subtree)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from shuzhi.core.access import get_scoped_or_404, in_subtree
from shuzhi.core.secrecy import shuffled
from shuzhi.cycles.models import LATE_STATUSES
from shuzhi.orgs.models import Organization
from shuzhi.projects import rules
from shuzhi.projects.models import (
    QUARTERS,
    Answer,
    Declaration,
    DeclaredItem,
    Progress,
    Project,
    Question,
    Questionnaire,
    Rating,
    Round,
)
from shuzhi.rectification import rules as rectification_rules
from shuzhi.rectification.models import Item as RectificationItem
from shuzhi.reports.hooks import ReadOnlySection


def rounds_visible_to(user) -> QuerySet[Round]:
    return Round.objects.filter(in_subtree("org_path", user.organization.path)).select_related("organization")


def round_get(*, viewer, pk: int) -> Round:
    return get_scoped_or_404(rounds_visible_to(viewer), pk=pk)


def declarations_visible_to(user) -> QuerySet[Declaration]:
    return Declaration.objects.filter(in_subtree("org_path", user.organization.path)).select_related(
        "round", "organization", "secretary"
    )


def declaration_get(*, viewer, pk: int) -> Declaration:
    return get_scoped_or_404(declarations_visible_to(viewer), pk=pk)


def declarations_mine(user) -> list[Declaration]:
    return list(
        declarations_visible_to(user).filter(organization_id=user.organization_id).order_by("-round__year")
    )


def project_get(*, viewer, pk: int) -> Project:
    return get_scoped_or_404(
        Project.objects.filter(in_subtree("declaration__org_path", viewer.organization.path)).select_related(
            "declaration__round", "declaration__organization", "declaration__secretary", "problem"
        ),
        pk=pk,
    )


def declaration_lists(declaration: Declaration) -> dict[str, list]:
    items = list(declaration.items.select_related("carried_from"))
    return {
        "problems": [i for i in items if i.kind == DeclaredItem.Kind.PROBLEM],
        "duties": [i for i in items if i.kind == DeclaredItem.Kind.DUTY],
        "projects": list(declaration.projects.select_related("problem")),
    }


def open_rectification(declaration: Declaration) -> list[RectificationItem]:
    """Last years' rectification items of the unit still open, not yet in the problem list."""
    taken = declaration.items.exclude(carried_from=None).values("carried_from_id")
    return list(
        RectificationItem.objects.filter(
            organization_id=declaration.organization_id,
            status__in=rectification_rules.OPEN,
            cycle__year__lt=declaration.round.year,
        )
        .exclude(pk__in=taken)
        .order_by("deadline", "id")
    )


@dataclass
class Seen:
    """What the board shows of a reported quarter (read as plain values) and of its rating."""

    @dataclass
    class Rated:
        label: str

    late: bool
    rating: "Seen.Rated | None" = None


@dataclass
class Cell:
    """One quarter of one project on the board."""

    quarter: int
    progress: "Progress | Seen | None" = None
    rating: "Rating | Seen.Rated | None" = None
    overdue: bool = False  # due date passed, nothing reported


@dataclass
class BoardRow:
    declaration: Declaration
    projects: list[tuple[Project, list[Cell]]] = field(default_factory=list)
    late: bool = False  # declaration not in by its due date


BOARD_PER_PAGE = 50
LATE_NAMED = 30


def late_declarations(round_: Round, *, today) -> tuple[list[str], int]:
    """The units whose declarations are not in by the due date: the first names and how many."""
    if today <= round_.declare_due:
        return [], 0
    late = round_.declarations.filter(status__in=LATE_STATUSES)
    # the names by key, apart: joined in one query, PostgreSQL merged the city's 21,800
    # organisations with the round before the limit (13 ms; 1 ms apart)
    ids = list(late.order_by("position", "id").values_list("organization_id", flat=True)[:LATE_NAMED])
    found = dict(Organization.objects.filter(pk__in=ids).values_list("id", "name"))
    names = [found[pk] for pk in ids]
    return names, len(names) if len(names) < LATE_NAMED else late.count()


def round_board(
    round_: Round, *, today, page_number: object = 1, narrow: bool = True
) -> tuple[Page, list[BoardRow]]:
    """A page of the round's units with their projects and quarters: four queries whatever the
    round's size (the count, the page, its projects, their quarters). `narrow` reads only what
    the board shows (no texts, JSON or dates to decode: half the page's time at city scale); the
    quarterly report asks for whole rows."""
    declarations_qs = round_.declarations.all()
    projects_qs = Project.objects.all()
    progress_qs = Progress.objects.select_related("rating")
    if narrow:
        # the organisations by key after the page (a join sorted the round against the city's
        # 21,800 organisations before the limit: 20 ms; apart, 1 ms and 1 ms)
        declarations_qs = declarations_qs.only(
            "round_id", "organization_id", "group", "status", "position"
        ).prefetch_related(Prefetch("organization", queryset=Organization.objects.only("name")))
        projects_qs = projects_qs.only("declaration_id", "title", "exemplary")
    else:
        declarations_qs = declarations_qs.select_related("organization", "secretary")
    page = Paginator(declarations_qs, BOARD_PER_PAGE).get_page(page_number)
    declarations = list(page.object_list)
    projects = list(
        projects_qs.filter(declaration_id__in=[d.pk for d in declarations]).order_by("declaration_id", "id")
    )
    project_ids = [p.pk for p in projects]
    progress: dict
    if narrow:  # 400 quarters a page: plain values, not 800 model instances
        progress = {
            (project_id, quarter): Seen(late=late, rating=Seen.Rated(label) if label is not None else None)
            for project_id, quarter, late, label in Progress.objects.filter(
                project_id__in=project_ids
            ).values_list("project_id", "quarter", "late", "rating__label")
        }
    else:
        progress = {(p.project_id, p.quarter): p for p in progress_qs.filter(project_id__in=project_ids)}
    by_declaration: dict[int, list[Project]] = defaultdict(list)
    for project in projects:
        by_declaration[project.declaration_id].append(project)
    dues = [(quarter, round_.quarter_due(quarter)) for quarter in QUARTERS]
    rows = []
    for declaration in declarations:
        row = BoardRow(declaration=declaration, late=declaration.is_editable and today > round_.declare_due)
        for project in by_declaration.get(declaration.pk, []):
            cells = []
            for quarter, due in dues:
                found = progress.get((project.pk, quarter))
                rating = getattr(found, "rating", None) if found else None
                cells.append(
                    Cell(
                        quarter=quarter, progress=found, rating=rating, overdue=found is None and today > due
                    )
                )
            row.projects.append((project, cells))
        rows.append(row)
    return page, rows


def round_board_all(round_: Round, *, today) -> list[BoardRow]:
    """Every unit of the round (the quarterly report lists them all)."""
    pages = Paginator(round_.declarations.all(), BOARD_PER_PAGE).num_pages
    return [
        row
        for n in range(1, pages + 1)
        for row in round_board(round_, today=today, page_number=n, narrow=False)[1]
    ]


@dataclass
class RankRow:
    declaration: Declaration
    projects: int
    rated: int
    score: Decimal | None
    labels: str
    rank: int | None = None

    @property
    def cells(self) -> tuple[str, str, str, str, str, str]:
        """The row as printed (page and bulletin alike): one lookup in the template, not eight."""
        return (
            str(self.rank) if self.rank else "—",
            self.declaration.organization.name,
            str(self.projects),
            str(self.rated),
            self.labels or _("未评价"),
            rules.figure(self.score) if self.score is not None else "—",
        )


def ranking(round_: Round, *, quarter: int) -> list[tuple[str, list[RankRow]]]:
    """Units ranked within each group by the mean score of their projects' ratings for the
    quarter (units, never individual members): three queries."""
    declarations = list(
        round_.declarations.select_related("organization")
        .only("round_id", "group", "position", "status", "organization__name")  # 2,000 rows: no dates parsed
        .order_by("group", "position", "id")
    )
    project_counts: dict[int, int] = defaultdict(int)
    for declaration_id in Project.objects.filter(declaration__round=round_).values_list(
        "declaration_id", flat=True
    ):
        project_counts[declaration_id] += 1
    scores: dict[int, list[Decimal]] = defaultdict(list)
    labels: dict[int, list[str]] = defaultdict(list)
    for declaration_id, score, label in Rating.objects.filter(
        progress__project__declaration__round=round_, progress__quarter=quarter
    ).values_list("progress__project__declaration_id", "score", "label"):
        scores[declaration_id].append(score)
        labels[declaration_id].append(label)
    groups: dict[str, list[RankRow]] = {}
    for declaration in declarations:
        groups.setdefault(declaration.group, []).append(
            RankRow(
                declaration=declaration,
                projects=project_counts.get(declaration.pk, 0),
                rated=len(scores.get(declaration.pk, [])),
                score=rules.mean(scores.get(declaration.pk, [])),
                labels="、".join(labels.get(declaration.pk, [])),
            )
        )
    out = []
    for group, rows in groups.items():
        for row, position in zip(rows, rules.rank([r.score for r in rows]), strict=True):
            row.rank = position
        rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.declaration.position))
        out.append((group, rows))
    return out


RANKING_PER_PAGE = 50


@dataclass
class RankingPage:
    """One group's page of the ranking: the groups (name, units) for the filter, the chosen
    group, its page of rows (ranked within the whole group) and the paginator's page."""

    groups: list[tuple[str, int]]
    group: str
    rows: list[RankRow]
    page: Page | None


def ranking_page(
    round_: Round,
    *,
    quarter: int,
    group: object = None,
    page_number: object = 1,
    per_page: int = RANKING_PER_PAGE,
) -> RankingPage:
    """A page of one group's ranking (the same ranks and figures as `ranking`, which the bulletin
    prints in full): five queries whatever the city's size. The whole group is ranked from two
    narrow reads (its units' positions, its ratings' scores and labels for the quarter); only
    the page's units are read in full (names, project counts)."""
    groups = list(
        round_.declarations.order_by("group")
        .values_list("group")
        .annotate(units=Count("id"))
        .values_list("group", "units")
    )
    if not groups:
        return RankingPage(groups=[], group="", rows=[], page=None)
    names = [name for name, _units in groups]
    chosen = group if group in names else names[0]
    units = list(
        round_.declarations.filter(group=chosen).order_by("position", "id").values_list("id", "position")
    )
    scores: dict[int, list[Decimal]] = defaultdict(list)
    labels: dict[int, list[str]] = defaultdict(list)
    for declaration_id, score, label in Rating.objects.filter(
        progress__project__declaration__round=round_,
        progress__project__declaration__group=chosen,
        progress__quarter=quarter,
    ).values_list("progress__project__declaration_id", "score", "label"):
        scores[declaration_id].append(score)
        labels[declaration_id].append(label)
    means = [rules.mean(scores.get(pk, [])) for pk, _position in units]
    ranks = rules.rank(means)
    order = sorted(range(len(units)), key=lambda i: (ranks[i] is None, ranks[i] or 0, units[i][1]))
    page = Paginator(order, per_page).get_page(page_number)
    ids = [units[i][0] for i in page.object_list]
    declarations = {
        d.pk: d
        for d in Declaration.objects.filter(pk__in=ids)
        .select_related("organization")
        .only("round_id", "group", "position", "status", "organization__name")
    }
    counts = dict(
        Project.objects.filter(declaration_id__in=ids)
        .order_by()
        .values("declaration_id")
        .annotate(n=Count("id"))
        .values_list("declaration_id", "n")
    )
    rows = []
    for i in page.object_list:
        pk = units[i][0]
        rows.append(
            RankRow(
                declaration=declarations[pk],
                projects=counts.get(pk, 0),
                rated=len(scores.get(pk, [])),
                score=means[i],
                labels="、".join(labels.get(pk, [])),
                rank=ranks[i],
            )
        )
    return RankingPage(groups=groups, group=chosen, rows=rows, page=page)


def exemplary_visible_to(user) -> QuerySet[Project]:
    return (
        Project.objects.filter(in_subtree("declaration__org_path", user.organization.path), exemplary=True)
        .select_related("declaration__round", "declaration__organization")
        .order_by("-declaration__round__year", "declaration__org_path", "id")
    )


def report_sections(year: int, organization_ids: Sequence[int]) -> dict[int, ReadOnlySection]:
    """Each unit's 书记领办项目 of the year for its duty report and the meeting book: each
    quarter's rating, read only. Two queries for any number of units."""
    projects = list(
        Project.objects.filter(
            declaration__organization_id__in=organization_ids,
            declaration__round__year=year,
            declaration__status=Declaration.Status.ACCEPTED,
        )
        .select_related("declaration")
        .order_by("id")
    )
    if not projects:
        return {}
    progress = {
        (p.project_id, p.quarter): p
        for p in Progress.objects.filter(project__in=projects).select_related("rating")
    }

    def cell(project: Project, quarter: int) -> str:
        found = progress.get((project.pk, quarter))
        if found is None:
            return _("未报送")
        rating = getattr(found, "rating", None)
        return f"{rating.label}（{rules.figure(rating.score)}）" if rating else _("已报送，待评价")

    by_unit: dict[int, list[Project]] = defaultdict(list)
    for project in projects:
        by_unit[project.declaration.organization_id].append(project)
    columns = (_("项目"), _("一季度"), _("二季度"), _("三季度"), _("四季度"), _("可复制可推广"))
    return {
        unit: ReadOnlySection(
            title=_("书记领办项目推进情况"),
            columns=columns,
            rows=tuple(
                (p.title, *(cell(p, q) for q in QUARTERS), _("是") if p.exemplary else "")
                for p in unit_projects
            ),
            note=_("由书记领办项目的季度进展和督查办评价自动生成。"),
            link=reverse("projects:declaration", args=[unit_projects[0].declaration_id]),
        )
        for unit, unit_projects in by_unit.items()
    }


def latest_round_of(org) -> Round | None:
    return Round.objects.filter(organization=org).order_by("-year").first()


def late_counts(round_: Round, *, today) -> tuple[int, int]:
    """Declarations not in by their due date, and projects without the progress report of the
    latest quarter whose due date has passed (two COUNTs)."""
    declarations = (
        round_.declarations.filter(status__in=LATE_STATUSES).count() if today > round_.declare_due else 0
    )
    passed = [q for q in QUARTERS if round_.quarter_due(q) < today]
    progress = 0
    if passed:
        progress = (
            Project.objects.filter(declaration__round=round_).exclude(progress__quarter=passed[-1]).count()
        )
    return declarations, progress


def next_due(round_: Round, *, today):
    """The round's next date a unit must meet: the declaration, then each quarter's report."""
    dues = [round_.declare_due, *(round_.quarter_due(q) for q in QUARTERS)]
    return next((due for due in dues if due >= today), None)


def rollup_ratings(viewer, cycles: list) -> dict:
    """The roll-up's 项目 column: the mean of 督查办's ratings of the round the cycle's organisation
    runs that year, and how many quarters were rated (two queries)."""
    from django.db.models import Avg, Count

    from shuzhi.cycles.hooks import Cell

    rounds = {
        (org_id, year): pk
        for pk, org_id, year in Round.objects.filter(
            organization_id__in={c.organization_id for c in cycles}, year__in={c.year for c in cycles}
        ).values_list("pk", "organization_id", "year")
    }
    if not rounds:
        return {}
    rated = {
        row["progress__project__declaration__round_id"]: row
        for row in Rating.objects.filter(progress__project__declaration__round_id__in=rounds.values())
        .values("progress__project__declaration__round_id")
        .annotate(n=Count("id"), mean=Avg("score"))
        .order_by()
    }
    cells = {}
    for cycle in cycles:
        round_id = rounds.get((cycle.organization_id, cycle.year))
        if round_id is None:
            continue
        row = rated.get(round_id)
        text = f"{row['mean']:.1f}（{row['n']}）" if row else _("未评价")
        cells[cycle.pk] = Cell(
            text=text, link=reverse("projects:ranking", args=[round_id]), title=_("项目评价均分")
        )
    return cells


# ---- 问卷调查 ------------------------------------------------------------------------------------


def surveys_visible_to(user) -> QuerySet[Questionnaire]:
    return Questionnaire.objects.filter(in_subtree("org_path", user.organization.path)).select_related(
        "organization"
    )


def survey_get(*, viewer, pk: int) -> Questionnaire:
    return get_scoped_or_404(surveys_visible_to(viewer), pk=pk)


@dataclass
class QuestionSummary:
    question: Question
    answered: int
    hidden: bool
    rows: list[dict] = field(default_factory=list)
    mean: str = ""
    texts: list[str] = field(default_factory=list)
    problems: list[DeclaredItem] = field(default_factory=list)  # already in a problem list


def survey_summary(questionnaire: Questionnaire) -> tuple[bool, list[QuestionSummary]]:
    """After closing, each question's summary (rules.tally); texts in a fresh random order.
    Returns (hidden, summaries): everything hidden while fewer than `min_group` responded, and
    nothing at all before closing. Three queries."""
    questions = list(questionnaire.questions.order_by("position", "id"))
    if questionnaire.status != Questionnaire.Status.CLOSED:
        return True, []
    if questionnaire.responses < questionnaire.min_group:
        return True, [QuestionSummary(question=q, answered=0, hidden=True) for q in questions]
    values: dict[int, dict] = defaultdict(dict)
    kinds = {q.pk: q.kind for q in questions}
    for question_id, response_id, option, rating, text in Answer.objects.filter(
        response__questionnaire=questionnaire
    ).values_list("question_id", "response_id", "option", "rating", "text"):
        kind = kinds.get(question_id)
        if kind == Question.Kind.MULTIPLE:
            values[question_id].setdefault(response_id, []).append(option)
        elif kind == Question.Kind.SINGLE:
            values[question_id][response_id] = option
        elif kind == Question.Kind.RATING:
            values[question_id][response_id] = rating
        else:
            values[question_id][response_id] = text
    found: dict[int, list[DeclaredItem]] = defaultdict(list)
    for item in DeclaredItem.objects.filter(found_by__in=questions).order_by("id"):
        found[item.found_by_id].append(item)
    out = []
    for question in questions:
        summary = rules.tally(
            question.kind,
            question.options,
            list(values[question.pk].values()),
            min_group=questionnaire.min_group,
        )
        out.append(
            QuestionSummary(
                question=question,
                answered=int(summary["answered"]),  # type: ignore[call-overload]
                hidden=bool(summary["hidden"]),
                rows=list(summary.get("rows", [])),  # type: ignore[call-overload]
                mean=str(summary.get("mean", "")),
                texts=shuffled(summary.get("texts", [])),  # type: ignore[arg-type]
                problems=found[question.pk],
            )
        )
    return False, out


def survey_chart(summaries: Sequence[QuestionSummary]) -> list[dict]:
    """The charts' data for the page's json_script block: counts per option of each shown question."""
    return [
        {
            "id": f"chart-{s.question.pk}",
            "labels": [row["label"] for row in s.rows],
            "counts": [row["count"] for row in s.rows],
        }
        for s in summaries
        if not s.hidden and s.rows
    ]


def unrated_progress(viewer) -> int:
    """Quarterly progress reports of the viewer's subtree that 督查办 has not rated yet (one COUNT)."""
    return Progress.objects.filter(
        in_subtree("project__declaration__org_path", viewer.organization.path), rating__isnull=True
    ).count()
