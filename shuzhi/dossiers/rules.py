"""The arithmetic of members' files and the talent reserve, over plain values."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Entry:
    """A checklist entry as the rules see it."""

    id: int
    required: bool
    full_only: bool


def required_of(entries: list[Entry], *, probationary: bool) -> list[Entry]:
    """What a member's file must hold: a 预备党员 has no 转正 materials yet."""
    return [e for e in entries if e.required and not (probationary and e.full_only)]


def missing(entries: list[Entry], present: set[int], *, probationary: bool) -> list[Entry]:
    """The required entries a member's file lacks, in the checklist's order."""
    return [e for e in required_of(entries, probationary=probationary) if e.id not in present]


def share(part: int, whole: int) -> Decimal | None:
    """part of whole in percent, one place; None when there is nothing to count."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class VillageReserve:
    """One village against the talent reserve's targets."""

    talents: int
    members: int
    developed: int  # talents who applied to join (and may be members by now)
    min_count: int
    member_share: int  # percent

    @property
    def share(self) -> Decimal | None:
        return share(self.members, self.talents)

    @property
    def count_met(self) -> bool:
        return self.talents >= self.min_count

    @property
    def share_met(self) -> bool:
        # 党员能人占20%以上: members * 100 >= share * talents, in integers
        return self.talents > 0 and self.members * 100 >= self.member_share * self.talents

    @property
    def short_by(self) -> int:
        return max(self.min_count - self.talents, 0)

    @property
    def met(self) -> bool:
        return self.count_met and self.share_met


def shortfall(have: int, wanted: int) -> int:
    """Reserve cadres still to be named for a post."""
    return max(wanted - have, 0)
