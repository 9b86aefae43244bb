"""The project's settings with no middleware and the bare ballot view as the only URL, for the
baseline of benchmarks/ballots.py (DJANGO_SETTINGS_MODULE=benchmarks._ballots_bare_settings)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks._ballots_bare"
MIDDLEWARE: list[str] = []
