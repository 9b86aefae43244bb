from collections import Counter
from datetime import date

import pytest

from shuzhi.demo.generator import CityGenerator
from shuzhi.members.rules import age_on, birth_date_from_id, gender_from_id, id_number_problem
from shuzhi.orgs.rules import kind_may_have_children, level_may_contain

AS_OF = date(2026, 11, 23)


def _city(orgs=400, members=4000, seed=7):
    generator = CityGenerator(seed=seed, organizations=orgs, members=members, as_of=AS_OF)
    specs = generator.organizations()
    people = {spec.code: generator.members_for(spec) for spec in specs if spec.is_branch}
    return specs, people


def test_the_same_seed_gives_the_same_city():
    first, second = _city(), _city()
    assert [(s.path, s.name, s.code) for s in first[0]] == [(s.path, s.name, s.code) for s in second[0]]
    assert first[1] == second[1]
    other = _city(seed=8)
    assert [s.name for s in other[0]] != [s.name for s in first[0]]


@pytest.mark.parametrize(("orgs", "members"), [(320, 3000), (1200, 15000)])
def test_it_makes_exactly_the_numbers_asked_for(orgs, members):
    specs, people = _city(orgs, members)
    assert len(specs) == orgs
    assert sum(len(m) for m in people.values()) == members
    assert len({s.code for s in specs}) == orgs
    assert len({s.path for s in specs}) == orgs


def test_every_organisation_stands_where_the_rules_allow():
    specs, _people = _city()
    by_path = {s.path: s for s in specs}
    assert specs[0].depth == 1 and specs[0].level == "city"
    for spec in specs[1:]:
        parent = by_path[spec.path[:-4]]
        assert spec.depth == parent.depth + 1
        assert level_may_contain(parent.level, spec.level), (parent.name, spec.name)
        assert kind_may_have_children(parent.kind), parent.name
    leaves = [s for s in specs if not s.children]
    assert all(s.kind == "branch" for s in leaves)
    assert Counter(s.level for s in specs)["county"] == 7


def test_members_are_valid_unique_and_adults_when_they_joined():
    _specs, people = _city()
    everyone = [m for group in people.values() for m in group]
    assert len({m.id_number for m in everyone}) == len(everyone)
    for m in everyone:
        assert id_number_problem(m.id_number) is None, m
        assert birth_date_from_id(m.id_number) == m.birth_date
        assert gender_from_id(m.id_number) == m.gender
        assert age_on(m.birth_date, m.joined_on) >= 18
        assert m.joined_on <= AS_OF
        assert (m.status == "probationary") == (m.full_member_on is None)
    shares = Counter(m.status for m in everyone)
    assert 0 < shares["probationary"] < len(everyone) * 0.2


def test_too_few_organisations_for_the_skeleton_is_refused():
    with pytest.raises(ValueError, match="at least"):
        CityGenerator(seed=1, organizations=50, members=100, as_of=AS_OF).organizations()
