from functools import cached_property

from django.core.paginator import Paginator


class KnownCountPaginator(Paginator):
    """A paginator told how many rows there are, when a counter already holds the number
    (treebeard's numchild, the member counters) and COUNT(*) over a city would be the slow part."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count
