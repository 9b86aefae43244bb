import importlib

import pytest


@pytest.fixture(autouse=True)
def _seeded(request):
    """The step table (a browser test's live server flushes what the migration seeded)."""
    browser = "live_server" in request.fixturenames
    if not browser and request.node.get_closest_marker("django_db") is None:
        yield
        return
    request.getfixturevalue("transactional_db" if browser else "db")
    from django.apps import apps

    importlib.import_module("shuzhi.lifecycle.migrations.0002_seed_steps").seed(apps, None)
    importlib.import_module("shuzhi.lifecycle.migrations.0007_training_needs_test").seed(apps, None)
    yield
