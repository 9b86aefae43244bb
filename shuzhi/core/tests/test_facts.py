"""The registry of fact sources: registration, lookup, and the checks on what a source answers."""

from decimal import Decimal

import pytest

from shuzhi.core import facts


def _source(key="test.constant", label="测试常数", value=Decimal(50), kind=facts.FactKind.SCORE):
    return facts.FactSource(
        key=key, label=label, kind=kind, compute=lambda year, subjects: {s.id: facts.Fact(value=value) for s in subjects}
    )  # fmt: skip


@pytest.fixture
def registered():
    made = []

    def add(source):
        made.append(facts.register(source))
        return source

    yield add
    for source in made:
        facts.unregister(source.key)


def test_every_subject_gets_an_answer_and_silence_is_no_data(registered):
    registered(facts.FactSource(key="test.some", label="测试部分", kind=facts.FactKind.SCORE,
                                compute=lambda year, subjects: {1: facts.Fact(value=Decimal(80))}))  # fmt: skip
    found = facts.collect(
        "test.some", year=2026, subjects=[facts.Subject(1, "0001"), facts.Subject(2, "0002")]
    )
    assert found[1].value == Decimal(80) and found[2].value is None and found[2].holds is None


def test_a_value_outside_0_to_100_is_refused_not_used(registered):
    registered(_source(value=Decimal("100.01")))
    with pytest.raises(facts.FactError):
        facts.collect("test.constant", year=2026, subjects=[facts.Subject(1, "0001")])


def test_keys_and_labels_are_unique_and_found_by_either(registered):
    source = registered(_source())
    with pytest.raises(facts.FactError):
        facts.register(_source(label="另一个名字", value=Decimal(1)))  # same key, other source
    with pytest.raises(facts.FactError):
        facts.register(_source(key="test.other"))  # same label
    assert facts.by_reference("测试常数") is source and facts.by_reference("test.constant") is source
    assert facts.kinds()["test.constant"] == "score"


def test_the_areas_register_their_sources_when_the_apps_load():
    assert facts.get("rectification.accountability").kind == facts.FactKind.CONDITION
    assert facts.get("rectification.on_time_rate").kind == facts.FactKind.SCORE


def test_the_subject_index_finds_every_subject_holding_a_path():
    index = facts.SubjectIndex(
        [facts.Subject(1, "0001"), facts.Subject(2, "00010002"), facts.Subject(3, "0002")]
    )
    assert [s.id for s in index.holding("000100020005")] == [1, 2]
    assert [s.id for s in index.holding("0003")] == []
    assert facts.share(1, 3) == Decimal("33.33") and facts.share(0, 0) is None
