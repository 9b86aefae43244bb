import pytest

from shuzhi.stats.tests.fixtures import build_town


@pytest.fixture
def town(cast):
    return build_town(cast)
