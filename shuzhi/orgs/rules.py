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


PATH_MAX_LENGTH = 255
# the largest character of treebeard's path alphabet (0-9A-Z)
PATH_LAST_CHARACTER = "Z"


def subtree_bounds(path: str) -> tuple[str, str]:
    """The inclusive range of paths in the subtree of `path` (itself included).

    A range, not LIKE 'path%', because a B-tree index serves a range under any collation and
    can then also return rows in path order; PostgreSQL uses LIKE prefixes only under the C
    collation or a pattern index that cannot sort.
    """
    return path, path + PATH_LAST_CHARACTER * (PATH_MAX_LENGTH - len(path))
