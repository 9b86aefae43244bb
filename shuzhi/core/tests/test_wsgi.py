"""The web worker's start-up: every view imported, then the start-up heap frozen out of the cyclic
collector's reach (config/wsgi.py; `benchmarks/weakorgs.py` shows what it saves on a big page)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_served_process_starts_with_its_views_imported_and_its_heap_frozen():
    probe = (
        "import gc, sys; import config.wsgi; "
        "print(gc.get_freeze_count(), 'shuzhi.weakorgs.guarantee_views' in sys.modules)"
    )
    out = subprocess.run(  # noqa: S603 (our own interpreter and probe)
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    assert int(out[0]) > 50_000 and out[1] == "True"
