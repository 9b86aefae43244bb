from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from shuzhi.core.access import get_scoped_or_404, in_subtree, require
from shuzhi.core.protection import keyed_hash
from shuzhi.core.roles import Capability, Role
from shuzhi.members import rules
from shuzhi.members.models import ID_NUMBER_PURPOSE, Member
from shuzhi.orgs.models import Organization


def members_visible_to(user) -> QuerySet[Member]:
    """A member sees only themself; everyone else with the capability sees their subtree."""
    require(user, Capability.VIEW_MEMBERS)
    if user.role == Role.MEMBER:
        return Member.objects.filter(pk=user.member_id) if user.member_id else Member.objects.none()
    return Member.objects.filter(in_subtree("org_path", user.organization.path))


def member_get(*, viewer, pk: int) -> Member:
    return get_scoped_or_404(members_visible_to(viewer).select_related("organization"), pk=pk)


def member_by_id_number(*, within: Organization, id_number: str) -> Member | None:
    """The member with this ID number in the subtree of `within`, matched by keyed hash."""
    digest = keyed_hash(rules.normalise_id_number(id_number), purpose=ID_NUMBER_PURPOSE)
    return Member.objects.filter(in_subtree("org_path", within.path), id_number_hash=digest).first()


def member_may_reveal(*, viewer, member: Member) -> bool:
    """Whole ID number and phone: organisers in whose subtree the member is, and the member."""
    return viewer.can(Capability.REVEAL_PERSONAL_DATA) or (
        viewer.member_id is not None and viewer.member_id == member.pk
    )


@dataclass(frozen=True)
class MemberFilter:
    organization: Organization | None = None
    name: str = ""
    id_number: str = ""  # matched whole, through the keyed hash: the column itself is ciphertext
    # what an export job keeps instead of the number: its keyed hash, and the mask for the record
    id_number_hash: bytes = b""
    id_number_masked: str = ""
    status: str = ""
    category: str = ""
    education: str = ""
    gender: str = ""
    min_age: int | None = None
    max_age: int | None = None
    roster: str = ""  # "" members on the roster, "left" those who have left, "all" both

    @property
    def only_scope(self) -> bool:
        """True when nothing narrows the list below an organisation's whole subtree."""
        return not any(
            (
                self.name,
                self.id_number,
                self.id_number_hash,
                self.status,
                self.category,
                self.education,
                self.gender,
                self.roster,
            )
        ) and (self.min_age, self.max_age) == (None, None)


def member_list(*, viewer, filters: MemberFilter, today: date) -> QuerySet[Member]:
    members = members_visible_to(viewer)
    if filters.organization is not None:
        members = members.filter(in_subtree("org_path", filters.organization.path))
    if filters.name:
        # names are stored without spaces (王　芳 is 王芳): the search drops them too
        members = members.filter(name__contains=rules.normalise_name(filters.name))
    if filters.id_number:
        digest = keyed_hash(rules.normalise_id_number(filters.id_number), purpose=ID_NUMBER_PURPOSE)
        members = members.filter(id_number_hash=digest)
    if filters.id_number_hash:
        members = members.filter(id_number_hash=filters.id_number_hash)
    if filters.roster == "left":
        members = members.filter(left_on__isnull=False)
    elif filters.roster != "all":
        members = members.filter(left_on__isnull=True)
    for field in ("status", "category", "education", "gender"):
        value = getattr(filters, field)
        if value:
            members = members.filter(**{field: value})
    earliest, latest = rules.birth_range_for_ages(today, filters.min_age, filters.max_age)
    if earliest is not None:
        members = members.filter(birth_date__gte=earliest)
    if latest is not None:
        members = members.filter(birth_date__lte=latest)
    return members.select_related("organization").order_by("org_path", "name", "id")


FILTER_FIELDS = (
    "name", "id_number", "status", "category", "education", "gender", "min_age", "max_age", "roster",
)  # fmt: skip


def member_filter(*, organization: Organization | None, data: dict) -> MemberFilter:
    """A MemberFilter from the member list's cleaned form data (or an export job's copy of it)."""
    found = {k: data[k] for k in FILTER_FIELDS if data.get(k) not in (None, "")}
    if data.get("id_number_hash"):
        found.update(
            id_number_hash=bytes.fromhex(data["id_number_hash"]),
            id_number_masked=data.get("id_number_masked", ""),
        )
    return MemberFilter(organization=organization, **found)


def id_number_parameters(id_number: str) -> dict[str, str]:
    """An ID number as a stored job may keep it: its keyed hash (to find the member) and its mask
    (to say what was asked), never the number."""
    number = rules.normalise_id_number(id_number)
    return {
        "id_number_hash": keyed_hash(number, purpose=ID_NUMBER_PURPOSE).hex(),
        "id_number_masked": rules.mask_id_number(number),
    }


def organizations_in_scope(viewer) -> QuerySet[Organization]:
    return Organization.objects.filter(in_subtree("path", viewer.organization.path))


def filter_organization(*, viewer, data: dict) -> tuple[Organization | None, list[Organization], bool]:
    """The organisation a member filter means: a chosen id, or a name/code matching exactly one.

    Returns (organisation, candidates to choose from, whether the text matched nothing usable).
    """
    scoped = organizations_in_scope(viewer)
    if data.get("org"):
        org = scoped.filter(pk=data["org"]).first()
        return org, [], org is None
    text = (data.get("org_q") or "").strip()
    if not text:
        return None, [], False
    # names are not unique (every township may have a 第一党支部): only a single match decides
    exact = list(scoped.filter(Q(code=text) | Q(name=text))[:2])
    if len(exact) == 1:
        return exact[0], [], False
    candidates = list(
        scoped.filter(Q(name__icontains=text) | Q(code__istartswith=text)).order_by("path")[:11]
    )
    if len(candidates) == 1:
        return candidates[0], [], False
    return None, candidates, True
