"""The rules that read other areas now: no 发展对象 or new member for two years (lifecycle and the
roster, read in bulk), and the bottom of the star rating (standards.star_level through core.facts)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from shuzhi.core import facts
from shuzhi.lifecycle.models import Applicant, Step, StepRecord
from shuzhi.members.models import Member
from shuzhi.weakorgs import rules
from shuzhi.weakorgs.models import Flag, Rule
from shuzhi.weakorgs.selectors import outcomes_of
from shuzhi.weakorgs.services import flags_compute

pytestmark = pytest.mark.django_db
YEAR = date.today().year


def _flags(org):
    return set(Flag.objects.filter(organization=org, year=YEAR).values_list("rule", flat=True))


def _candidate(org, on: date) -> None:
    person = Applicant.objects.create(
        name="周新", gender="M", birth_date=date(2000, 1, 1), id_number="x", id_number_hash=b"x",
        education="bachelor", category="farmer", organization=org, org_path=org.path, stage="candidate",
        applied_on=on - timedelta(days=400), last_done_on=on,
    )  # fmt: skip
    StepRecord.objects.create(applicant=person, step=Step.objects.get(code="candidate"), done_on=on)


def test_a_village_whose_members_all_joined_long_ago_is_flagged_with_the_day_as_evidence(cast):
    flags_compute(year=YEAR)
    assert rules.NO_NEW_MEMBER in _flags(cast.village_a)  # joined 1995 and 2000
    assert rules.NO_NEW_MEMBER not in _flags(cast.village_a2)  # a probationary member of last year
    flag = Flag.objects.get(organization=cast.village_a, year=YEAR, rule=rules.NO_NEW_MEMBER)
    assert "2000-07-01" in flag.summary
    assert any(f"/lifecycle/orgs/{cast.village_a.pk}/" in e["link"] for e in flag.evidence)


def test_a_candidate_named_this_year_clears_the_flag(cast):
    _candidate(cast.village_a, date.today() - timedelta(days=30))
    flags_compute(year=YEAR)
    assert rules.NO_NEW_MEMBER not in _flags(cast.village_a)


def test_a_branch_with_nobody_on_record_has_no_data_not_a_pass(cast):
    Member.objects.filter(organization=cast.village_b).delete()
    outcomes = {o.rule.key: o.outcome for o in outcomes_of(cast.village_b, year=YEAR)}
    assert outcomes[rules.NO_NEW_MEMBER] == rules.Outcome.NO_DATA


@pytest.fixture
def stars():
    """A stand-in for standards.star_level: 王庄村 rated below the counted level, 李集村 unrated."""
    saved = facts.get("standards.star_level")
    facts.unregister("standards.star_level")
    shares: dict[str, Decimal] = {}

    def compute(year, subjects):
        return {s.id: facts.Fact(value=shares[s.name], summary="未达到计入等次",
                                 evidence=(facts.Evidence(label="星级", value="一星", link="/standards/"),))
                for s in subjects if s.name in shares}  # fmt: skip

    facts.register(facts.FactSource(key="standards.star_level", label="星级党支部占比", kind=facts.FactKind.SCORE,
                                    compute=compute))  # fmt: skip
    yield shares
    facts.unregister("standards.star_level")
    if saved is not None:
        facts.register(saved)


def test_the_star_rule_is_off_at_first_and_flags_the_bottom_once_switched_on(cast, stars):
    stars["王庄村党支部"] = Decimal(0)
    flags_compute(year=YEAR)
    assert rules.STAR_LOW not in _flags(cast.village_a)
    Rule.objects.filter(key=rules.STAR_LOW).update(enabled=True)
    flags_compute(year=YEAR)
    assert rules.STAR_LOW in _flags(cast.village_a)
    assert rules.STAR_LOW not in _flags(cast.village_a2)  # no rating: no data, not a hit
    flag = Flag.objects.get(organization=cast.village_a, year=YEAR, rule=rules.STAR_LOW)
    assert flag.evidence[0]["link"] == "/standards/"
    outcomes = {o.rule.key: o.outcome for o in outcomes_of(cast.village_a2, year=YEAR)}
    assert outcomes[rules.STAR_LOW] == rules.Outcome.NO_DATA
