import pytest

from shuzhi.orgs.models import Organization
from shuzhi.testing.factories import OrganizationFactory


@pytest.fixture
def add_villages():
    """Add `count` 村党支部 under a township, numbered after the children it already has."""

    def add(parent: Organization, count: int) -> list[Organization]:
        parent.refresh_from_db()
        first = parent.numchild + 1
        return [
            OrganizationFactory(parent=parent, name=f"第{n:02d}村党支部", code=f"{parent.code}{n:03d}")
            for n in range(first, first + count)
        ]

    return add
