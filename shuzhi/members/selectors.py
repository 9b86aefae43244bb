from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from shuzhi.accounts.roles import Capability, Role
from shuzhi.core.access import get_scoped_or_404, in_subtree, require
from shuzhi.core.protection import keyed_hash
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
    status: str = ""
    category: str = ""
    education: str = ""
    gender: str = ""
    min_age: int | None = None
    max_age: int | None = None

    @property
    def only_scope(self) -> bool:
        """True when nothing narrows the list below an organisation's whole subtree."""
        return not any(
            (self.name, self.id_number, self.status, self.category, self.education, self.gender)
        ) and (self.min_age, self.max_age) == (None, None)


def member_list(*, viewer, filters: MemberFilter, today: date) -> QuerySet[Member]:
    members = members_visible_to(viewer)
    if filters.organization is not None:
        members = members.filter(in_subtree("org_path", filters.organization.path))
    if filters.name:
        members = members.filter(name__contains=filters.name.strip())
    if filters.id_number:
        digest = keyed_hash(rules.normalise_id_number(filters.id_number), purpose=ID_NUMBER_PURPOSE)
        members = members.filter(id_number_hash=digest)
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
