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


# Panels other areas show on an organisation's page, loaded by htmx after the page: each
# `url_for(viewer, org)` returns the address of its panel, or None when the viewer may not see it.
_panels: list[Callable[..., str | None]] = []


def register_panel(url_for: Callable[..., str | None]) -> None:
    if url_for not in _panels:
        _panels.append(url_for)


def panels(*, viewer, org) -> list[str]:
    return [url for url in (url_for(viewer, org) for url_for in _panels) if url]
