import importlib

import pytest

# the data migrations' rows (frequencies, dues bands, the default points scheme): a browser test's
# live server flushes the database after it, and with it what the migrations seeded
SEEDS = ("0002_seed_requirements", "0004_seed_dues_bands", "0006_committee_needs_seven_members",
         "0009_seed_points_scheme")  # fmt: skip


@pytest.fixture(autouse=True)
def _seeded(request):
    browser = "live_server" in request.fixturenames
    if not browser and request.node.get_closest_marker("django_db") is None:
        yield
        return
    request.getfixturevalue("transactional_db" if browser else "db")
    from django.apps import apps

    for name in SEEDS:
        importlib.import_module(f"shuzhi.records.migrations.{name}").seed(apps, None)
    yield
