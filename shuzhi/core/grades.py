"""The four grades (等次) of the assessment and a count of each: one vocabulary for ballots,
scoring, documents and exports.

A grade is stored as the word itself (好, 较好, 一般, 差), the same word the regulation, the
printed 通报 and the organiser's scheme use. Sealed results, scheme fingerprints and the audit
chain hold these words, so they can never be rewritten to another spelling.
"""

from collections.abc import Iterable
from dataclasses import astuple, dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """Best first."""

    GOOD = "好", _("好")
    FAIRLY_GOOD = "较好", _("较好")
    AVERAGE = "一般", _("一般")
    POOR = "差", _("差")

    @property
    def field(self) -> str:
        """The name of this grade's count in Counts and in tally columns (good, fairly_good …)."""
        return self.name.lower()


GRADES: tuple[Grade, ...] = tuple(Grade)  # best first


@dataclass(frozen=True)
class Counts:
    """How many of each grade, in the order of Grade."""

    good: int = 0
    fairly_good: int = 0
    average: int = 0
    poor: int = 0

    @classmethod
    def of(cls, grades: Iterable[str]) -> "Counts":
        tally = dict.fromkeys((g.field for g in Grade), 0)
        for grade in grades:
            tally[Grade(grade).field] += 1
        return cls(**tally)

    def __getitem__(self, grade: str) -> int:
        return getattr(self, Grade(grade).field)

    def as_tuple(self) -> tuple[int, int, int, int]:
        return astuple(self)

    @property
    def total(self) -> int:
        return self.good + self.fairly_good + self.average + self.poor

    @property
    def good_rate(self) -> float | None:
        """好 as a share of the ballots, or None when there are none."""
        return self.good / self.total if self.total else None

    @property
    def good_or_fair_rate(self) -> float | None:
        return (self.good + self.fairly_good) / self.total if self.total else None

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))
