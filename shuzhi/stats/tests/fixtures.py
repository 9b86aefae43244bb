"""A hand-counted township for the statistics, beside the shared cast (its county_a).

柳林镇党委 (town, committee, rural)
├── 东村党支部 (branch_x): 甲 女 汉 1990 本科 在职 入党2015 · 乙 男 回族 1950 初中 离退休 入党1970
│                          丙 女 壮族 2000 专科 学生 入党2025-06-01 预备 · 丁 男 汉 1955 高中 农民 入党1980, 2025-03-15 死亡
└── 西村党支部 (branch_y): 戊 男 汉 1960 本科 在职 入党2010, transferred in from 张楼村党支部 (county_b) on 2025-05-10
                           己 男 汉 1995-05-05 本科 在职 入党2025-09-01 预备
"""

from dataclasses import dataclass
from datetime import date

from shuzhi.lifecycle.models import Transfer
from shuzhi.lifecycle.services import departure_record
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.testing.factories import MemberFactory, OrganizationFactory

EARLY = date(2025, 1, 31)
LATE = date(2025, 12, 31)


@dataclass
class Town:
    town: Organization
    branch_x: Organization
    branch_y: Organization
    people: dict[str, Member]


def build_town(cast) -> Town:
    town = OrganizationFactory(name="柳林镇党委", code="C01009", kind="committee", level="township", field="rural",
                               parent=cast.county_a)  # fmt: skip
    x = OrganizationFactory(name="东村党支部", code="C01009001", parent=town)
    y = OrganizationFactory(name="西村党支部", code="C01009002", parent=town)
    F, M = Member.Gender.FEMALE, Member.Gender.MALE
    E = Member.Education
    C = Member.Category
    specs = {
        "甲": (x, F, "汉族", date(1990, 6, 15), E.BACHELOR, C.EMPLOYED, date(2015, 3, 1), date(2016, 3, 1)),
        "乙": (x, M, "回族", date(1950, 1, 1), E.JUNIOR, C.RETIRED, date(1970, 5, 1), date(1971, 5, 1)),
        "丙": (x, F, "壮族", date(2000, 2, 2), E.COLLEGE, C.STUDENT, date(2025, 6, 1), None),
        "丁": (x, M, "汉族", date(1955, 12, 31), E.HIGH_SCHOOL, C.FARMER, date(1980, 1, 1), date(1981, 1, 1)),
        "戊": (y, M, "汉族", date(1960, 7, 1), E.BACHELOR, C.EMPLOYED, date(2010, 7, 1), date(2011, 7, 1)),
        "己": (y, M, "汉族", date(1995, 5, 5), E.BACHELOR, C.EMPLOYED, date(2025, 9, 1), None),
    }
    people = {}
    for name, (org, gender, ethnicity, birth, education, category, joined, full) in specs.items():
        people[name] = MemberFactory(
            name=name, organization=org, gender=gender, ethnicity=ethnicity, birth_date=birth, education=education,
            category=category, joined_on=joined, full_member_on=full,
            status=Member.Status.FULL if full else Member.Status.PROBATIONARY,
        )  # fmt: skip
    departure_record(actor=cast.city_organiser, member=people["丁"], kind="died", left_on=date(2025, 3, 15))
    Transfer.objects.create(
        member=people["戊"], from_org=cast.village_b, from_path=cast.village_b.path, to_org=y, to_path=y.path,
        letter_number="ZJ-2025-001", reason="工作调动", status=Transfer.Status.CONFIRMED, sent_on=date(2025, 5, 1),
        valid_until=date(2025, 5, 31), received_on=date(2025, 5, 10), confirmed_on=date(2025, 5, 12),
        sent_by=cast.city_organiser,
    )  # fmt: skip
    for org in (town, x, y):
        org.refresh_from_db()
    return Town(town=town, branch_x=x, branch_y=y, people=people)
