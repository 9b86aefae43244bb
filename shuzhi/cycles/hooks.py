"""What the areas standing on the cycle add to it, registered in their `AppConfig.ready()`.

Reports, ballots, scoring and rectification import the cycle; the cycle never imports them. Where
the cycle must start something in one of them, or show something of theirs, it calls what they
registered here:

- `on_reports_open`: when a cycle opens reports, make what the reporters need (reports gives each
  reporter a report); each returns figures for the cycle's audit record.
- `archive_checks`: before a cycle is archived, refuse (raise a ValidationError) while it cannot
  be yet (scoring: the results must be final).
- `notices`: short notes on the cycle page for one viewer (rectification: overdue items), each a
  Notice, or None when there is nothing to say.
- `register_rollup_column`: a column of the roll-up of the subtree's cycles (the three linked
  levels of 联述联评联考): the meeting, the grades, rectification, weak organisations, projects.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Notice:
    text: str
    link: str
    testid: str = ""


OnReportsOpen = Callable[[Any], dict[str, Any]]  # cycle → figures for the audit record
ArchiveCheck = Callable[[Any], None]  # cycle → raises ValidationError while it may not be archived
NoticeSource = Callable[[Any, Any], Notice | None]  # (viewer, cycle) → a notice, or None

_on_reports_open: list[OnReportsOpen] = []
_archive_checks: list[ArchiveCheck] = []
_notices: list[NoticeSource] = []


def register(
    *,
    on_reports_open: OnReportsOpen | None = None,
    archive_check: ArchiveCheck | None = None,
    notice: NoticeSource | None = None,
) -> None:
    """Add an area's hooks (once each, however often an app's ready() runs)."""
    for hook, hooks in (
        (on_reports_open, _on_reports_open),
        (archive_check, _archive_checks),
        (notice, _notices),
    ):
        if hook is not None and hook not in hooks:
            hooks.append(hook)


def reports_opened(cycle) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for hook in _on_reports_open:
        figures.update(hook(cycle))
    return figures


def archive_checks() -> tuple[ArchiveCheck, ...]:
    return tuple(_archive_checks)


def notices(viewer, cycle) -> list[Notice]:
    return [notice for source in _notices if (notice := source(viewer, cycle)) is not None]


# --- columns of the roll-up (三级联述联评联考 on one view) ----------------------------------------


@dataclass(frozen=True)
class Cell:
    """One figure of a cycle's row in the roll-up, and the list behind it."""

    text: str
    link: str = ""
    title: str = ""  # the figure in words, for a reader and for a tooltip


@dataclass(frozen=True)
class RollupColumn:
    """A column an area adds to the roll-up: `cells(viewer, cycles)` → {cycle id: Cell}, for all
    the page's cycles at once (one or two queries, never one per cycle)."""

    key: str
    label: str
    cells: Callable[[Any, list], dict[int, Cell]]
    order: int = 50


_rollup_columns: list[RollupColumn] = []


def register_rollup_column(column: RollupColumn) -> None:
    if all(existing.key != column.key for existing in _rollup_columns):
        _rollup_columns.append(column)


def rollup_columns() -> list[RollupColumn]:
    return sorted(_rollup_columns, key=lambda column: column.order)
