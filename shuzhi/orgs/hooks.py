"""What the areas standing on the organisation tree lend it, registered in their
`AppConfig.ready()`: the tree cannot import them (members, cycles … import the tree).

An organisation's secretary is a party member, so the organisation form looks a member up by ID
number; members registers how (`members.selectors.member_by_id_number`)."""

from collections.abc import Callable
from typing import Any

_member_lookup: Callable[..., Any] | None = None


def register_member_lookup(lookup: Callable[..., Any]) -> None:
    """`lookup(within=organization, id_number=text)` → the member in that subtree, or None."""
    global _member_lookup
    _member_lookup = lookup


def member_by_id_number(*, within, id_number: str):
    if _member_lookup is None:
        raise RuntimeError("shuzhi.members is not installed: no member look-up registered")
    return _member_lookup(within=within, id_number=id_number)
