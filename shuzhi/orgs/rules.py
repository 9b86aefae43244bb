"""Which organisation may stand under which: pure tables, no ORM."""

import re

CODE_PATTERN = re.compile(r"^[0-9A-Za-z_-]+$")

PROVINCE = "province"
CITY = "city"
COUNTY = "county"
TOWNSHIP = "township"
VILLAGE = "village"
INSTITUTION = "institution"

# The administrative ladder, plus agencies, enterprises and institutions (机关企事业单位) that
# can sit under any level above the village and under each other (a 高校党委 → 院系党总支 → 支部).
ALLOWED_CHILD_LEVELS: dict[str, frozenset[str]] = {
    PROVINCE: frozenset({CITY, INSTITUTION}),
    CITY: frozenset({COUNTY, INSTITUTION}),
    COUNTY: frozenset({TOWNSHIP, INSTITUTION}),
    TOWNSHIP: frozenset({VILLAGE, INSTITUTION}),
    VILLAGE: frozenset({VILLAGE}),
    INSTITUTION: frozenset({INSTITUTION}),
}

BRANCH = "branch"


def level_may_contain(parent_level: str, child_level: str) -> bool:
    return child_level in ALLOWED_CHILD_LEVELS.get(parent_level, frozenset())


def kind_may_have_children(kind: str) -> bool:
    """A 党支部 is the smallest organisation; 党小组 are not organisations in the tree."""
    return kind != BRANCH
