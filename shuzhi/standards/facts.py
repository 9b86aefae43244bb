"""What the standards offer the assessment: the share of a unit's branches whose confirmed star
level reaches the level their standard counts (a score on 0–100)."""

from collections import defaultdict
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.core import facts
from shuzhi.core.access import in_subtree
from shuzhi.core.links import object_links
from shuzhi.orgs.models import Organization
from shuzhi.standards import selectors
from shuzhi.standards.models import Rating, Standard


def star_level(year: int, subjects: Sequence[facts.Subject]) -> dict[int, facts.Fact]:
    """Three queries for all subjects: the standards' counted levels, the branches, the
    confirmed ratings. A branch not yet confirmed counts as not reaching the level; a unit with
    no confirmed rating at all has no data."""
    if not subjects:
        return {}
    index = facts.SubjectIndex(subjects)
    scope = facts.scope(subjects)
    counted = dict(Standard.objects.values_list("pk", "counted_rank"))
    total: dict[int, int] = defaultdict(int)
    rated: dict[int, int] = defaultdict(int)
    reached: dict[int, int] = defaultdict(int)
    branches = Organization.objects.filter(in_subtree("path", scope), kind=Organization.Kind.BRANCH)
    for path in branches.order_by().values_list("path", flat=True).iterator(chunk_size=10000):
        for subject in index.holding(path):
            total[subject.id] += 1
    ratings = Rating.objects.filter(
        in_subtree("org_path", scope),
        year=year,
        status__in=[Rating.Status.CONFIRMED, Rating.Status.PUBLISHED],
    ).values_list("org_path", "standard_id", "final_rank")
    for path, standard_id, rank in ratings.order_by().iterator(chunk_size=10000):
        ok = rank is not None and rank >= counted.get(standard_id, 1)
        for subject in index.holding(path):
            rated[subject.id] += 1
            reached[subject.id] += ok
    out = {}
    link_of = object_links("standards:org", year=year)
    unrated, no_branch = _("没有已确认的星级评定"), _("没有党支部")
    labels = (_("党支部总数"), _("星级已确认的党支部"), _("达到计入等次的党支部"))
    counted = _("%(n)d 个党支部中 %(m)d 个达到计入等次（已确认 %(r)d 个）")
    for subject in subjects:
        n, r, m = total.get(subject.id, 0), rated.get(subject.id, 0), reached.get(subject.id, 0)
        if not r:
            out[subject.id] = facts.Fact(summary=unrated if n else no_branch)
            continue
        link = link_of(subject.id)
        out[subject.id] = facts.Fact(
            value=facts.share(m, n),
            evidence=(
                facts.Evidence(label=labels[0], value=str(n), link=link),
                facts.Evidence(label=labels[1], value=str(r), link=link),
                facts.Evidence(label=labels[2], value=str(m), link=link),
            ),
            summary=counted % {"n": n, "m": m, "r": r},
        )
    return out


def education_rate(year: int, subjects: Sequence[facts.Subject]) -> dict[int, facts.Fact]:
    """The share of the subtree's members who reached their yearly hours (32 学时, 56 for the
    secretaries: the norms are data): four queries for all subjects."""
    if not subjects:
        return {}
    index = facts.SubjectIndex(subjects)
    tally, norms = selectors.completion_tally(facts.scope(subjects), year)
    total: dict[int, int] = defaultdict(int)
    done: dict[int, int] = defaultdict(int)
    for path, members, reached in tally:
        for subject in index.holding(path):
            total[subject.id] += members
            done[subject.id] += reached
    out = {}
    link_of = object_links("standards:education", year=year)
    labels = (_("党员总数"), _("学时达标的党员"))
    counted, none = (
        _("%(n)d 名党员中 %(m)d 名达到年度学时要求（党员 %(a)s 学时，书记 %(b)s 学时）"),
        _("没有党员"),
    )
    a, b = norms.get("member", "—"), norms.get("cadre", "—")
    for subject in subjects:
        n, m = total.get(subject.id, 0), done.get(subject.id, 0)
        link = link_of(subject.id)
        out[subject.id] = facts.Fact(
            value=facts.share(m, n),
            evidence=(facts.Evidence(label=labels[0], value=str(n), link=link),
                      facts.Evidence(label=labels[1], value=str(m), link=link)) if n else (),
            summary=counted % {"n": n, "m": m, "a": a, "b": b} if n else none,
        )  # fmt: skip
    return out


SOURCES = (
    facts.FactSource(
        key="standards.star_level",
        label=gettext_lazy("星级党支部占比"),
        kind=facts.FactKind.SCORE,
        compute=star_level,
        description=gettext_lazy(
            "本单位及下级党支部中，考核年度星级评定经上级确认、达到本领域标准规定的计入等次"
            "（如三星及以上、或达标）的比例（0–100）；未确认的支部按未达到计；没有任何已确认评定时为缺项。"
        ),
        area=gettext_lazy("标准化规范化"),
    ),
    facts.FactSource(
        key="standards.education_rate",
        label=gettext_lazy("党员教育学时达标率"),
        kind=facts.FactKind.SCORE,
        compute=education_rate,
        description=gettext_lazy(
            "本单位及下级党员中，考核年度参加培训（集中轮训、党课、专题培训、网络学习）累计学时达到年度要求"
            "（党员 32 学时、党组织书记 56 学时，按学时要求设置）的比例（0–100）；没有党员时为缺项。"
        ),
        area=gettext_lazy("标准化规范化"),
    ),
)
