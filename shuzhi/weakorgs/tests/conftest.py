import importlib

import pytest

# the data migrations' rows: a browser test's live server flushes the database after it, and with
# it what the migrations seeded (the records area's frequencies feed the organisational-life fact)
SEEDS = (
    ("records", "0002_seed_requirements"),
    ("records", "0004_seed_dues_bands"),
    ("records", "0006_committee_needs_seven_members"),
    ("records", "0009_seed_points_scheme"),
    ("weakorgs", "0002_seed_rules"),
    ("weakorgs", "0005_seed_star_rule"),
)


@pytest.fixture(autouse=True)
def _seeded(request):
    browser = "live_server" in request.fixturenames
    if not browser and request.node.get_closest_marker("django_db") is None:
        yield
        return
    request.getfixturevalue("transactional_db" if browser else "db")
    from django.apps import apps

    for app, name in SEEDS:
        importlib.import_module(f"shuzhi.{app}.migrations.{name}").seed(apps, None)
    yield
