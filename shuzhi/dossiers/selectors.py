"""Reads of members' files, the talent reserve and 到社区报到, scoped to the viewer's subtree."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from shuzhi.core.access import get_scoped_or_404, in_subtree, require
from shuzhi.core.roles import Capability, Role
from shuzhi.dossiers import rules
from shuzhi.dossiers.models import (
    ChecklistItem,
    CommunityRegistration,
    FileState,
    ReserveCadre,
    Scan,
    ServiceActivity,
    Talent,
    TalentRule,
)
from shuzhi.lifecycle import selectors as lifecycle
from shuzhi.lifecycle.models import Departure
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization


def _require_view(user) -> None:
    """Organisers and secretaries see their subtree; a member sees only their own file."""
    require(user, Capability.VIEW_MEMBERS)
    if user.role == Role.MEMBER:
        raise PermissionDenied


def orgs_visible_to(user) -> QuerySet[Organization]:
    _require_view(user)
    return Organization.objects.filter(in_subtree("path", user.organization.path))


def organization_get(*, viewer, pk: int) -> Organization:
    return get_scoped_or_404(orgs_visible_to(viewer), pk=pk)


def members_visible_to(user) -> QuerySet[Member]:
    _require_view(user)
    return Member.objects.filter(in_subtree("org_path", user.organization.path))


def member_get(*, viewer, pk: int) -> Member:
    return get_scoped_or_404(members_visible_to(viewer).select_related("organization"), pk=pk)


# ---------------------------------------------------------------- members' files


def checklist() -> list[ChecklistItem]:
    return list(ChecklistItem.objects.order_by("order"))


def _entries(items: list[ChecklistItem]) -> list[rules.Entry]:
    return [rules.Entry(id=i.id, required=i.required, full_only=i.full_only) for i in items]


def _present_members() -> QuerySet[Member]:
    """Members who have not left (a departed member's file is history, not a gap)."""
    return Member.objects.exclude(Exists(Departure.objects.filter(member=OuterRef("pk"))))


def present(*, within_path: str, items: list[ChecklistItem], member_ids=None) -> dict[int, set[int]]:
    """member id → the checklist entries their file holds: their own scans, and the scans kept
    with the 发展党员 steps that an entry names (two queries for the whole subtree)."""
    by_step: dict[str, list[int]] = defaultdict(list)
    for item in items:
        for code in item.steps:
            by_step[code].append(item.id)
    found: dict[int, set[int]] = defaultdict(set)
    # a few members by id (a page of a list), or a whole subtree by path
    if member_ids is not None:
        scans = Scan.objects.filter(member_id__in=member_ids)
    else:
        scans = Scan.objects.filter(in_subtree("member__org_path", within_path))
    for member_id, item_id in scans.order_by().values_list("member_id", "item_id").distinct():
        found[member_id].add(item_id)
    if by_step:
        for member_id, code in lifecycle.documented_steps(within_path=within_path, member_ids=member_ids):
            found[member_id].update(by_step.get(code, ()))
    return found


@dataclass
class FileRow:
    """One entry of a member's file as a page shows it."""

    item: ChecklistItem
    needed: bool
    scans: list[Scan] = field(default_factory=list)
    from_steps: bool = False

    @property
    def held(self) -> bool:
        return bool(self.scans) or self.from_steps


def member_file(member: Member) -> tuple[list[FileRow], bool]:
    """The member's checklist, entry by entry, and whether the file is complete."""
    items = checklist()
    probationary = member.status == Member.Status.PROBATIONARY
    needed = {e.id for e in rules.required_of(_entries(items), probationary=probationary)}
    scans: dict[int, list[Scan]] = defaultdict(list)
    for scan in Scan.objects.filter(member=member).select_related("uploaded_by").order_by("item_id", "id"):
        scans[scan.item_id].append(scan)
    from_steps = present(within_path=member.org_path, items=items, member_ids=[member.pk]).get(
        member.pk, set()
    )
    rows = [FileRow(item=i, needed=i.id in needed, scans=scans.get(i.id, []), from_steps=i.id in from_steps
                    and not scans.get(i.id)) for i in items]  # fmt: skip
    complete = all(row.held for row in rows if row.needed)
    return rows, complete


@dataclass(frozen=True)
class MemberGap:
    member: Member
    missing: list[ChecklistItem]

    @property
    def complete(self) -> bool:
        return not self.missing


def gaps(members: list[Member], *, within_path: str, items: list[ChecklistItem]) -> list[MemberGap]:
    """What each of these members' files lacks (for one page of a list)."""
    by_id = {i.id: i for i in items}
    entries = _entries(items)
    held = present(within_path=within_path, items=items, member_ids=[m.pk for m in members])
    return [
        MemberGap(member=m, missing=[by_id[e.id] for e in rules.missing(
            entries, held.get(m.pk, set()), probationary=m.status == Member.Status.PROBATIONARY)])
        for m in members
    ]  # fmt: skip


def file_members(org: Organization) -> QuerySet[Member]:
    return (
        _present_members()
        .filter(in_subtree("org_path", org.path))
        .select_related("organization")
        .only("id", "name", "status", "org_path", "organization__name")
        .order_by("org_path", "name", "id")
    )


@dataclass(frozen=True)
class Tally:
    members: int
    complete: int

    @property
    def share(self) -> Decimal | None:
        return rules.share(self.complete, self.members)


def complete_by_prefix(
    *, within_path: str, width: int | None, items: list[ChecklistItem] | None = None
) -> dict[str, Tally]:
    """Members and members with a complete file, per path prefix of `width` characters (None:
    the whole subtree under the key `within_path`; 0: per organisation).

    Members are counted from the organisations' member counters (which leave out those who left:
    members.services.members_recount, so a departure is not subtracted again); complete
    files from the states the services keep of the members' own scans; only the few members
    whose 发展党员 steps hold scans are looked at entry by entry."""
    items = checklist() if items is None else items
    entries = _entries(items)
    members = _present_members().filter(in_subtree("org_path", within_path)).order_by()

    def key(path: str) -> str:
        return within_path if width is None else path[:width] if width else path

    orgs = Organization.objects.filter(in_subtree("path", within_path)).order_by()
    totals: dict[str, int] = defaultdict(int)
    if width is None:
        totals[within_path] = sum(orgs.filter(path=within_path).values_list("total_members", flat=True))
    elif width == 0:
        totals.update(orgs.filter(member_count__gt=0).values_list("path", "member_count"))
    else:
        depth = width // Organization.steplen
        totals.update(orgs.filter(depth=depth).values_list("path", "total_members"))
        totals[within_path] += sum(orgs.filter(path=within_path).values_list("member_count", flat=True))
    need_full = {e.id for e in rules.required_of(entries, probationary=False)}
    need_probationary = {e.id for e in rules.required_of(entries, probationary=True)}
    if not need_full:
        return {k: Tally(members=n, complete=n) for k, n in totals.items()}
    by_step: dict[str, list[int]] = defaultdict(list)
    for item in items:
        for code in item.steps:
            by_step[code].append(item.id)
    from_steps: dict[int, set[int]] = defaultdict(set)
    if by_step:
        for member_id, code in lifecycle.documented_steps(within_path=within_path):
            from_steps[member_id].update(by_step.get(code, ()))
    complete: dict[str, int] = defaultdict(int)
    # the members' own scans, as the services keep them (one row per member with scans): those
    # holding every entry (complete whatever their status: the needs of a 预备党员 are a part of a
    # 正式党员's), read from the roster's path index alone, then the 预备党员 complete without the
    # 转正 materials (few)
    base = (
        FileState.objects.filter(in_subtree("member__org_path", within_path))
        .exclude(Exists(Departure.objects.filter(member=OuterRef("member_id"))))
        .exclude(member_id__in=list(from_steps))
        .order_by()
    )
    probationary = members.filter(
        status=Member.Status.PROBATIONARY,
        pk__in=FileState.objects.filter(full_ok=False, probationary_ok=True).values("member_id"),
    ).exclude(pk__in=list(from_steps))
    for states, path in ((base.filter(full_ok=True), "member__org_path"), (probationary, "org_path")):
        if width is None:
            complete[within_path] += states.count()
            continue
        grouped = (
            states.values_list(path)
            if width == 0
            else states.annotate(prefix=Substr(path, 1, width)).values_list("prefix")
        )
        for k, n in grouped.annotate(n=Count("pk")):
            complete[k] += n
    if from_steps:
        held = present(within_path=within_path, items=items, member_ids=list(from_steps))
        for pk, path, status in members.filter(pk__in=list(from_steps)).values_list(
            "id", "org_path", "status"
        ):
            need = need_probationary if status == Member.Status.PROBATIONARY else need_full
            if need <= held.get(pk, set()):
                complete[key(path)] += 1
    return {k: Tally(members=n, complete=complete.get(k, 0)) for k, n in totals.items()}


def overview(
    org: Organization, items: list[ChecklistItem] | None = None
) -> tuple[Tally, list[tuple[Organization, Tally]]]:
    """The subtree's completeness and its direct children's, counted in one pass."""
    children = list(
        Organization.objects.filter(in_subtree("path", org.path), depth=org.depth + 1)
        .only("id", "name", "path", "kind")
        .order_by("path")
    )
    if not children:
        return complete_by_prefix(within_path=org.path, width=None, items=items)[org.path], []
    found = complete_by_prefix(within_path=org.path, width=len(org.path) + Organization.steplen, items=items)
    tally = Tally(
        members=sum(t.members for t in found.values()), complete=sum(t.complete for t in found.values())
    )
    return tally, [(child, found.get(child.path, Tally(0, 0))) for child in children]


def scan_get(*, viewer, member: Member, pk: int) -> Scan:
    """A scan of a member the viewer may see (the member: 404 before this)."""
    return get_scoped_or_404(Scan.objects.filter(member=member), pk=pk)


# ---------------------------------------------------------------- talent reserve


def talent_rule() -> TalentRule:
    return TalentRule.objects.order_by("code").first() or TalentRule()


def villages_of(org: Organization) -> QuerySet[Organization]:
    """The subtree's village organisations (村, 农村 field): where talents are kept."""
    return Organization.objects.filter(
        in_subtree("path", org.path), level=Organization.Level.VILLAGE, field=Organization.Field.RURAL
    ).order_by("path")


@dataclass(frozen=True)
class VillageRow:
    village: Organization
    reserve: rules.VillageReserve
    reserve_short: int


def village_rows(org: Organization) -> list[VillageRow]:
    """Each village of the subtree against the minimum, the member share and the reserve
    cadres wanted (three queries)."""
    rule = talent_rule()
    villages = list(villages_of(org).only("id", "name", "path"))
    counts = {
        row["village_id"]: row
        for row in Talent.objects.filter(in_subtree("org_path", org.path))
        .order_by()
        .values("village_id")
        .annotate(
            n=Count("id"),
            members=Count("id", filter=Q(member__isnull=False)),
            developed=Count("id", filter=Q(applicant__isnull=False)),
        )
    }
    reserves: dict[int, dict[str, int]] = defaultdict(dict)
    for village_id, post, n in (
        ReserveCadre.objects.filter(in_subtree("talent__org_path", org.path))
        .order_by()
        .values_list("talent__village_id", "post")
        .annotate(n=Count("id"))
    ):
        reserves[village_id][post] = n
    wanted = rule.reserves_per_post
    rows = []
    for village in villages:
        found = counts.get(village.id, {})
        reserve = rules.VillageReserve(talents=found.get("n", 0), members=found.get("members", 0),
                                       developed=found.get("developed", 0), min_count=rule.min_count,
                                       member_share=rule.member_share)  # fmt: skip
        short = sum(rules.shortfall(reserves[village.id].get(p, 0), wanted) for p in ReserveCadre.Post.values)
        rows.append(VillageRow(village=village, reserve=reserve, reserve_short=short))
    return rows


def talents_of(village: Organization) -> QuerySet[Talent]:
    return (
        Talent.objects.filter(village=village)
        .select_related("member", "applicant")
        .prefetch_related("reserve_posts")
        .order_by("name", "id")
    )


def reserve_by_post(village: Organization) -> list[tuple[str, str, list[ReserveCadre], int]]:
    """(post, label, reserve cadres, shortfall) per post of the village."""
    wanted = talent_rule().reserves_per_post
    found: dict[str, list[ReserveCadre]] = defaultdict(list)
    for cadre in ReserveCadre.objects.filter(talent__village=village).select_related("talent").order_by("id"):
        found[cadre.post].append(cadre)
    return [
        (post, str(label), found[post], rules.shortfall(len(found[post]), wanted))
        for post, label in ReserveCadre.Post.choices
    ]


# ---------------------------------------------------------------- 到社区报到


def registrations_in(community: Organization) -> QuerySet[CommunityRegistration]:
    """The members registered with this community (from wherever they work)."""
    return (
        CommunityRegistration.objects.filter(community=community)
        .select_related("member", "member__organization")
        .order_by("member__name", "member_id")
    )


def activities_of(community: Organization) -> QuerySet[ServiceActivity]:
    return (
        ServiceActivity.objects.filter(community=community)
        .annotate(joined=Count("members"))
        .order_by("-held_on", "-id")
    )


def service_counts(org: Organization) -> QuerySet[CommunityRegistration]:
    """The registered members of an employer's subtree with their community and how many
    activities each joined: in the roster's order, never ranked."""
    return (
        CommunityRegistration.objects.filter(in_subtree("member__org_path", org.path))
        .select_related("member", "community")
        .annotate(activities=Count("member__service_activities", filter=Q(
            member__service_activities__community=F("community"))))
        .order_by("member__org_path", "member__name", "member_id")
    )  # fmt: skip
