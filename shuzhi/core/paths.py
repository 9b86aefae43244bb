"""Materialized paths (django-treebeard's MP_Node): a subtree as an index range, so that every
area can scope its rows by an organisation's path without knowing the tree."""

from collections.abc import Iterable

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


def common_prefix(paths: Iterable[str]) -> str:
    """The longest path every given path lies under: one index range for all of their subtrees."""
    roots = sorted(set(paths))
    common = roots[0]
    for path in roots[1:]:
        while not path.startswith(common):
            common = common[:-1]
    return common
