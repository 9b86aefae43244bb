"""A shared cast: people at different places in a small tree of two counties.

云州市委 (city)
├── 东湖区委 (county_a)
│   └── 柳泉镇党委 (township_a)
│       ├── 王庄村党支部 (village_a)   members: member_a (linked to member_user), secretary_a
│       └── 李集村党支部 (village_a2)  members: member_a2 (probationary, 24, student)
└── 西山区委 (county_b)
    └── 大庙镇党委 (township_b)
        └── 张楼村党支部 (village_b)   members: member_b
"""

from dataclasses import dataclass
from datetime import date

from shuzhi.accounts.models import User
from shuzhi.core.roles import Role
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.testing.factories import MemberFactory, OrganizationFactory, UserFactory


@dataclass
class Cast:
    city: Organization
    county_a: Organization
    township_a: Organization
    village_a: Organization
    village_a2: Organization
    county_b: Organization
    township_b: Organization
    village_b: Organization
    member_a: Member
    secretary_a: Member
    member_a2: Member
    member_b: Member
    city_organiser: User
    county_organiser: User
    township_secretary: User
    member_user: User
    reviewer: User
    outsider: User  # organiser of the neighbouring county
    sysadmin: User
    secadmin: User
    auditor: User

    @property
    def everyone(self) -> list[User]:
        return [
            self.city_organiser,
            self.county_organiser,
            self.township_secretary,
            self.member_user,
            self.reviewer,
            self.outsider,
            self.sysadmin,
            self.secadmin,
            self.auditor,
        ]


def build_cast() -> Cast:
    org = OrganizationFactory
    city = org(name="中共云州市委员会", code="C", kind="committee", level="city", field="agency")
    county_a = org(
        name="中共云州市东湖区委员会",
        code="C01",
        kind="committee",
        level="county",
        field="agency",
        parent=city,
    )
    township_a = org(
        name="中共东湖区柳泉镇委员会",
        code="C01001",
        kind="committee",
        level="township",
        field="rural",
        parent=county_a,
    )
    village_a = org(name="王庄村党支部", code="C01001001", parent=township_a)
    village_a2 = org(name="李集村党支部", code="C01001002", parent=township_a)
    county_b = org(
        name="中共云州市西山区委员会",
        code="C02",
        kind="committee",
        level="county",
        field="agency",
        parent=city,
    )
    township_b = org(
        name="中共西山区大庙镇委员会",
        code="C02001",
        kind="committee",
        level="township",
        field="rural",
        parent=county_b,
    )
    village_b = org(name="张楼村党支部", code="C02001001", parent=township_b)

    member_a = MemberFactory(
        name="王建国",
        organization=village_a,
        birth_date=date(1968, 3, 9),
        phone="13800001111",
        category=Member.Category.FARMER,
        education=Member.Education.HIGH_SCHOOL,
        joined_on=date(1995, 6, 1),
        full_member_on=date(1996, 6, 1),
    )
    secretary_a = MemberFactory(
        name="李秀英",
        organization=village_a,
        gender=Member.Gender.FEMALE,
        birth_date=date(1975, 11, 2),
        phone="13900002222",
        joined_on=date(2000, 7, 1),
        full_member_on=date(2001, 7, 1),
    )
    today = date.today()
    member_a2 = MemberFactory(
        name="赵晨",
        organization=village_a2,
        birth_date=date(today.year - 24, 1, 15),
        status=Member.Status.PROBATIONARY,
        category=Member.Category.STUDENT,
        joined_on=date(today.year - 1, 1, 1) if today.month > 1 else date(today.year - 1, 6, 1),
        full_member_on=None,
        education=Member.Education.POSTGRADUATE,
    )
    member_b = MemberFactory(
        name="张伟", organization=village_b, birth_date=date(1970, 8, 8), phone="13700003333"
    )
    Organization.objects.filter(pk=township_a.pk).update(
        secretary=secretary_a, secretary_since=date(2021, 3, 1)
    )
    township_a.refresh_from_db()

    user = UserFactory
    return Cast(
        city=city, county_a=county_a, township_a=township_a, village_a=village_a, village_a2=village_a2,
        county_b=county_b, township_b=township_b, village_b=village_b,
        member_a=member_a, secretary_a=secretary_a, member_a2=member_a2, member_b=member_b,
        city_organiser=user(username="city_org", full_name="市委组织部", role=Role.ORGANISER, organization=city),
        county_organiser=user(username="county_org", full_name="区委组织部", role=Role.ORGANISER, organization=county_a),
        township_secretary=user(username="township_sec", full_name="李秀英", role=Role.SECRETARY,
                                organization=township_a, member=secretary_a),
        member_user=user(username="member", full_name="王建国", role=Role.MEMBER, organization=village_a, member=member_a),
        reviewer=user(username="reviewer", full_name="评议代表", role=Role.REVIEWER, organization=city),
        outsider=user(username="outsider", full_name="西山区委组织部", role=Role.ORGANISER, organization=county_b),
        sysadmin=user(username="sysadmin", full_name="系统管理员", role=Role.SYSTEM_ADMIN, organization=city),
        secadmin=user(username="secadmin", full_name="安全管理员", role=Role.SECURITY_ADMIN, organization=city),
        auditor=user(username="auditor", full_name="安全审计员", role=Role.AUDITOR, organization=city),
    )  # fmt: skip
