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
