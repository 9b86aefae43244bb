"""The public ranking bulletin of project progress (.docx): units ranked within each group."""

from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.core import documents
from shuzhi.projects.models import Round
from shuzhi.projects.selectors import RankRow


def _columns() -> list[documents.Column]:
    return [
        (_("名次"), 1.6, True),
        (_("单位"), 6.0, False),
        (_("项目数"), 1.8, True),
        (_("已评价"), 1.8, True),
        (_("评价"), 2.8, True),
        (_("得分"), 1.6, True),
    ]


def ranking_bulletin(round_: Round, quarter: int, groups: list[tuple[str, list[RankRow]]]) -> bytes:
    title = _("书记领办基层党建项目第%(q)s季度推进情况通报") % {"q": documents.chinese_number(quarter)}
    document = documents.new_document(title=title, subject=round_.title)
    documents.title_block(document, title, round_.title)
    documents.line(
        document,
        _(
            "现将各单位书记领办项目第%(q)s季度推进情况通报如下。排名按各单位项目本季度督查评价的平均得分，在各组内排列；未报送或未评价的单位列于组末。"
        )
        % {"q": documents.chinese_number(quarter)},
    )
    for number, (group, rows) in enumerate(groups, start=1):
        documents.heading(document, f"{documents.chinese_number(number)}、{group}", space_before=True)
        documents.table(
            document,
            _columns(),
            [row.cells for row in rows],
        )
    documents.signature(document, round_.organization.name, documents.chinese_date(timezone.localdate()))
    return documents.save(document)


def _report_columns() -> list[documents.Column]:
    return [
        (_("单位"), 3.6, False),
        (_("项目"), 3.6, False),
        (_("本季度节点"), 3.2, False),
        (_("报送"), 1.6, True),
        (_("评价"), 1.4, True),
        (_("督查意见"), 2.2, False),
    ]


def supervision_report(round_: Round, quarter: int, rows: list, *, today) -> bytes:
    """督查办's quarterly report to the committee: how many reported, on time or late, the ratings,
    and every project's line (the board's rows for the quarter)."""
    q = documents.chinese_number(quarter)
    title = _("关于书记领办基层党建项目第%(q)s季度推进情况的专题报告") % {"q": q}
    document = documents.new_document(title=title, subject=round_.title)
    documents.title_block(document, title, round_.title)
    lines, reported, late, missing, labels = [], 0, 0, 0, {}
    for row in rows:
        for project, cells in row.projects:
            cell = cells[quarter - 1]
            if cell.progress is None:
                missing += 1
                state = _("逾期未报") if cell.overdue else _("未报")
            else:
                reported += 1
                late += cell.progress.late
                state = _("逾期报送") if cell.progress.late else _("按时")
            if cell.rating is not None:
                labels[cell.rating.label] = labels.get(cell.rating.label, 0) + 1
            lines.append(
                (
                    row.declaration.organization.name,
                    project.title,
                    project.milestones[quarter - 1] if len(project.milestones) >= quarter else "",
                    state,
                    cell.rating.label if cell.rating else "—",
                    cell.rating.comment if cell.rating else "",
                )
            )
    scheme = [str(s["label"]) for s in round_.rating_scheme]
    spread = "，".join(f"{label} {labels.get(label, 0)} 个" for label in scheme)
    documents.heading(document, _("一、总体情况"))
    documents.line(
        document,
        _(
            "本季度应报送项目 %(n)d 个，已报送 %(r)d 个（其中逾期报送 %(l)d 个），未报送 %(m)d 个。督查评价：%(s)s。"
        )
        % {"n": len(lines), "r": reported, "l": late, "m": missing, "s": spread or _("无")},
    )
    documents.heading(document, _("二、各项目推进情况"), space_before=True)
    documents.table(document, _report_columns(), lines)
    documents.signature(document, _("督查办"), documents.chinese_date(today))
    return documents.save(document)
