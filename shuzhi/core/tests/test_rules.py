"""The audit chain's arithmetic, property-tested: any single change to any entry is found, a
chain re-hashed without the key is found, and a truncation is found by an anchor."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shuzhi.core.rules import GENESIS_HASH, Anchor, ChainEntry, normalise_changes, verify_chain

KEY = b"k" * 32


def build_chain(actions: list[str], key: bytes = KEY) -> list[ChainEntry]:
    entries, previous = [], GENESIS_HASH
    start = datetime(2026, 1, 4, 9, 0, tzinfo=UTC)
    for seq, action in enumerate(actions, start=1):
        entry = ChainEntry(
            seq=seq, created_at=start + timedelta(seconds=seq), actor_id=seq, actor_name=f"用户{seq}",
            action=action, target_type="members.member", target_id=str(seq), target_repr="王建国",
            org_path="0001", ip="127.0.0.1", changes=normalise_changes({"after": {"n": seq}}), prev_hash=previous,
        )  # fmt: skip
        entry = ChainEntry(**{**entry.__dict__, "hash": entry.compute_hash(key)})
        entries.append(entry)
        previous = entry.hash
    return entries


actions = st.lists(st.sampled_from(["member.update", "org.create", "auth.login"]), min_size=1, max_size=12)


@given(actions)
def test_an_intact_chain_has_no_problems(names):
    chain = build_chain(names)
    checked, problems = verify_chain(chain, key=KEY, head_seq=len(chain), head_hash=chain[-1].hash)
    assert (checked, problems) == (len(chain), [])


@given(actions, st.data())
def test_changing_any_field_of_any_entry_is_found(names, data):
    chain = build_chain(names)
    index = data.draw(st.integers(0, len(chain) - 1))
    field = data.draw(st.sampled_from(["actor_name", "action", "target_repr", "org_path", "ip", "changes"]))
    forged = ChainEntry(
        **{**chain[index].__dict__, field: {"forged": True} if field == "changes" else "伪造"}
    )
    chain[index] = forged
    _checked, problems = verify_chain(chain, key=KEY, head_seq=len(chain), head_hash=chain[-1].hash)
    assert chain[index].seq in {p.seq for p in problems}


@given(actions, st.data())
def test_deleting_any_entry_is_found(names, data):
    chain = build_chain(names)
    head = (len(chain), chain[-1].hash)
    del chain[data.draw(st.integers(0, len(chain) - 1))]
    _checked, problems = verify_chain(chain, key=KEY, head_seq=head[0], head_hash=head[1])
    assert problems


def test_changes_are_normalised_the_way_a_json_column_returns_them():
    from datetime import date
    from decimal import Decimal

    assert normalise_changes({"b": date(2024, 2, 29), "a": Decimal("1.50")}) == {
        "a": "1.50",
        "b": "2024-02-29",
    }


@given(actions)
def test_a_chain_built_without_the_key_does_not_verify(names):
    chain = build_chain(names, key=b"someone else's guess")
    _checked, problems = verify_chain(chain, key=KEY, head_seq=len(chain), head_hash=chain[-1].hash)
    assert {p.seq for p in problems} >= {entry.seq for entry in chain}


@given(actions, st.data())
def test_cutting_the_end_and_moving_the_head_back_is_found_by_an_anchor(names, data):
    chain = build_chain([*names, "auth.login"])
    anchor = Anchor(chain[-1].seq, chain[-1].hash, "锚点")
    kept = chain[: data.draw(st.integers(0, len(chain) - 1))]
    head = (kept[-1].seq, kept[-1].hash) if kept else (0, GENESIS_HASH)
    _checked, problems = verify_chain(kept, key=KEY, head_seq=head[0], head_hash=head[1])
    assert problems == []  # the database alone cannot tell
    _checked, problems = verify_chain(kept, key=KEY, head_seq=head[0], head_hash=head[1], anchors=[anchor])
    assert [p.seq for p in problems] == [anchor.seq]
