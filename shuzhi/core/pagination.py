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


class UncountedPage:
    """A page of a list that is not counted first: per_page rows and whether more follow, from
    one query of per_page + 1 rows. For filtered lists over a city, where COUNT(*) would read
    every row in scope and cost more than the page; the total can be fetched apart."""

    paginator = None

    def __init__(self, object_list, number: object, per_page: int):
        try:
            self.number = max(1, int(str(number)))
        except ValueError:
            self.number = 1
        offset = (self.number - 1) * per_page
        rows = list(object_list[offset : offset + per_page + 1])
        self.object_list = rows[:per_page]
        self._more = len(rows) > per_page

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1
