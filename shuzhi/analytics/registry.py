"""The kinds of document the search box and the copy checks read, registered by the areas that
own them. Analytics sits above reports, ballots and rectification and registers those itself
(`kinds.py`); an area above it (projects: 书记领办项目 reports) registers its own kind in its
`AppConfig.ready()`:

    from shuzhi.analytics.registry import Kind, Source, register
    register(Kind(key="project_report", label="项目报告", objects=…, source=…, visible=…, urls=…))

Nothing below analytics imports it: a lower area's changes reach the index through the
`updated_at` of its rows, which the refresh task reads (`services.index_refresh`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Source:
    """The text of one object, as the index needs it."""

    object_id: int
    title: str
    text: str
    organization_id: int | None
    org_path: str
    year: int | None
    updated_at: datetime | None


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    objects: Callable[[], QuerySet]  # every object of the kind, with what `source` reads joined
    source: Callable[[Model], Source]
    visible: Callable[[Any], QuerySet]  # the objects a user may read; their pk is the object_id
    urls: Callable[[list[int]], dict[int, str]]  # the pages of some objects, in one or two queries
    copies: bool = False  # checked for copied passages and used as a source of them
    readers: Callable[[Any], bool] = lambda user: True  # may this user search this kind at all


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    if kind.key in _KINDS and _KINDS[kind.key] != kind:
        raise ValueError(f"document kind {kind.key!r} is already registered")
    _KINDS[kind.key] = kind


def unregister(key: str) -> None:
    _KINDS.pop(key, None)


def kinds() -> list[Kind]:
    return list(_KINDS.values())


def get(key: str) -> Kind:
    return _KINDS[key]
