"""What the areas standing on the reports lend them, registered in their `AppConfig.ready()`:
reports cannot import rectification (it imports reports).

- `carry_over`: when reports open, what each unit must answer for from earlier years
  (rectification: its items still open or closed recently), for all the cycle's units at once.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CarriedItem:
    title: str
    status_label: str
    problem_id: int | None = None  # the report problem it follows up, if it came from one


CarryOver = Callable[[int, Sequence[int]], Mapping[int, list[CarriedItem]]]  # (year, unit ids) → by unit

_carry_over: list[CarryOver] = []


def register(*, carry_over: CarryOver) -> None:
    if carry_over not in _carry_over:
        _carry_over.append(carry_over)


def carried_over(year: int, organization_ids: Sequence[int]) -> dict[int, list[CarriedItem]]:
    found: dict[int, list[CarriedItem]] = {}
    for source in _carry_over:
        for organization_id, items in source(year, organization_ids).items():
            found.setdefault(organization_id, []).extend(items)
    return found


# ---- read-only sections other areas add to a report's page ----------------------------------------
# e.g. projects: the unit's 书记领办项目 with each quarter's progress and 督查办's rating, so the
# report shows the year's facts beside the prose without the secretary typing them again.


@dataclass(frozen=True)
class ReadOnlySection:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    link: str = ""  # where the facts live
    note: str = ""


# (year, the units' organisation ids) → the section of each unit that has one; in bulk, for a
# meeting book of every unit at once
Section = Callable[[int, Sequence[int]], "Mapping[int, ReadOnlySection]"]

_sections: list[Section] = []


def register_section(section: Section) -> None:
    if section not in _sections:
        _sections.append(section)


def sections_for(*, year: int, organization_ids: Sequence[int]) -> dict[int, list[ReadOnlySection]]:
    found: dict[int, list[ReadOnlySection]] = {}
    for section in _sections:
        for organization_id, extra in section(year, organization_ids).items():
            found.setdefault(organization_id, []).append(extra)
    return found
