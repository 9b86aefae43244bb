"""The public ranking bulletin of project progress (.docx): units ranked within each group."""

from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.core import documents
from shuzhi.projects import rules
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
            [
                (
                    str(row.rank) if row.rank else "—",
                    row.declaration.organization.name,
                    str(row.projects),
                    str(row.rated),
                    row.labels or _("未评价"),
                    rules.figure(row.score) if row.score is not None else "—",
                )
                for row in rows
            ],
        )
    documents.signature(document, round_.organization.name, documents.chinese_date(timezone.localdate()))
    return documents.save(document)
