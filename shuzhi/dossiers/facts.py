"""What members' files offer the standards checklist and the assessment: the share of a unit's
members whose file holds every required entry, with a link to the completeness page."""

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.core import facts
from shuzhi.core.links import object_links
from shuzhi.dossiers import selectors


def files_complete(year: int, subjects: Sequence[facts.Subject]) -> dict[int, facts.Fact]:
    """The share of the unit's present members with a complete file (as of today: a file is
    kept, not done in a year). Counted once over the subjects' common subtree, by path prefix."""
    if not subjects:
        return {}
    index = facts.SubjectIndex(subjects)
    root = facts.scope(subjects)
    by_path = selectors.complete_by_prefix(within_path=root, width=0)
    totals: dict[int, list[int]] = {s.id: [0, 0] for s in subjects}
    for path, tally in by_path.items():
        for subject in index.holding(path):
            totals[subject.id][0] += tally.members
            totals[subject.id][1] += tally.complete
    out = {}
    link_of = object_links("dossiers:files")  # the standards may ask for every branch of a city
    for subject in subjects:
        n, complete = totals[subject.id]
        link = link_of(subject.id)
        out[subject.id] = facts.Fact(
            value=facts.share(complete, n),
            evidence=(
                facts.Evidence(label=_("党员"), value=str(n), link=link),
                facts.Evidence(label=_("档案齐全"), value=str(complete), link=link),
            ) if n else (),
            summary=_("%(n)d 名党员中 %(k)d 名档案齐全") % {"n": n, "k": complete} if n else _("没有党员"),
        )  # fmt: skip
    return out


SOURCES = (
    facts.FactSource(
        key="dossiers.files_complete",
        label=gettext_lazy("党员档案齐全率"),
        kind=facts.FactKind.SCORE,
        compute=files_complete,
        description=gettext_lazy(
            "本单位现有党员中档案目录必备材料齐全（含发展党员环节已存的材料）的比例（0–100）；没有党员时为缺项。"
        ),
        area=gettext_lazy("党员档案"),
    ),
)
