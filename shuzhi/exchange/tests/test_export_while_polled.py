"""An export of thousands of members on the embedded SQLite database finishes while its job page
is polled: the export's progress goes over a connection of its own, so its long read never has
to turn into a write after a poll has saved its session ("database is locked" in 2 of 8 tries
before). Runs the real thing in a process of its own, on a database file in WAL mode as `make
run` has it (see export_race)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the embedded SQLite database only")
def test_an_export_polled_all_along_succeeds_every_time(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(  # noqa: S603 (our own module, our own arguments)
        [sys.executable, "-m", "shuzhi.exchange.tests.export_race", str(tmp_path), "6000", "4"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    rounds = json.loads(done.stdout.strip().splitlines()[-1])

    assert [(r["status"], r["rows"], r["message"]) for r in rounds] == [("succeeded", 6000, "")] * 4
    assert all(r["under_way"] >= 3 for r in rounds), rounds  # the page was polled while it ran
