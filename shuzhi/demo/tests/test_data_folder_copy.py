"""Someone takes a copy of the data folder (the embedded database with its WAL, the uploaded and
exported sheets, the error reports) but not the secrets, which live apart
(SHUZHI_SECRETS_FILE): no ID number or phone of any member can be read from it, in clear or in a
common encoding. The platform runs for real here: its own processes, a file database, the demo
roster, imports (one refused, with its error report) and exports with whole numbers."""

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from django.test import override_settings

from shuzhi.core.files import unseal

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = r"""
import io, json
from datetime import date
from shuzhi.accounts.models import User
from shuzhi.exchange import services
from shuzhi.exchange.models import ExchangeJob
from shuzhi.members.models import Member
from shuzhi.members.selectors import id_number_parameters
from shuzhi.orgs.models import Organization
from shuzhi.testing.factories import make_id_number
from shuzhi.testing.sheets import MEMBER_HEADERS, member_row, xlsx

organiser = User.objects.get(username="organiser")
branch = Organization.objects.filter(kind="branch", path__startswith=organiser.organization.path).first()

def run_import(rows, name):
    sheet = xlsx(rows, headers=MEMBER_HEADERS)
    job = services.import_job_create(actor=organiser, kind="members", upload=io.BytesIO(sheet), name=name,
                                     size=len(sheet), enqueue=False)
    return services.exchange_job_run(job_id=job.pk)

good = [member_row(f"新党员{n}", make_id_number(date(1980, 1, n + 1), "M"), branch.code, phone=f"1391234{n:04d}")
        for n in range(5)]
assert run_import(good, "新名册.xlsx").status == ExchangeJob.Status.SUCCEEDED
bad = [member_row("错误行", make_id_number(date(1981, 2, 3), "F"), branch.code, phone="13700001111", joined="去年"),
       member_row("重复行", Member.objects.first().id_number, "NO-SUCH-ORG", phone="13700002222")]
assert run_import(bad, "有错的名册.xlsx").status == ExchangeJob.Status.REJECTED
someone = Member.objects.exclude(phone_hash=b"").first()
for parameters in ({}, id_number_parameters(someone.id_number)):
    job = services.export_job_create(actor=organiser, kind="members", parameters=parameters)
    assert services.exchange_job_run(job_id=job.pk).status == ExchangeJob.Status.SUCCEEDED
secrets = [[m.id_number, m.phone] for m in Member.objects.all()]
secrets += [[row[1], row[5]] for row in good + bad]
print("SECRETS" + json.dumps(secrets))
"""


def _manage(env, *args, **kwargs):
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


DIGITS = re.compile(r"[0-9Xx]{11,}")
HEX = re.compile(rb"(?:[0-9a-fA-F]{2}){11,}")
BASE64 = re.compile(rb"[A-Za-z0-9+/]{16,}")


def _readings(blob: bytes) -> list[str]:
    """The blob as text the ways a file may hold digits: bytes as they are, UTF-16 either way
    round, hex and base64 runs decoded (base64 at each alignment)."""
    texts = [
        blob.decode("latin-1"),
        blob.decode("utf-16-le", "ignore"),
        (blob[1:] + b"\0").decode("utf-16-le", "ignore"),
    ]
    texts += [bytes.fromhex(run.decode()).decode("latin-1") for run in HEX.findall(blob)]
    for run in BASE64.findall(blob):
        for offset in range(4):
            part = run[offset:]
            part = part[: len(part) - len(part) % 4]
            texts.append(base64.b64decode(part).decode("latin-1"))
    return texts


def _found(blob: bytes, values: set[str]) -> set[str]:
    """Which of the values (11-digit phones, 18-character ID numbers) appear in the blob."""
    lengths = {len(value) for value in values}
    hits = set()
    for text in _readings(blob):
        for run in DIGITS.findall(text):
            run = run.upper()
            for size in lengths:
                hits.update(run[i : i + size] for i in range(len(run) - size + 1))
    return hits & values


def test_a_copy_of_the_data_folder_without_the_secrets_reveals_no_id_number_or_phone(tmp_path):
    data, keys, anchors = tmp_path / "data", tmp_path / "keys", tmp_path / "anchors"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "SHUZHI_DATA_DIR": str(data),
        "SHUZHI_SECRETS_FILE": str(keys / "secrets.json"),
        "SHUZHI_AUDIT_ANCHOR_DIR": str(anchors),
        "SHUZHI_HTTPS": "0",
    }
    _manage(env, "migrate", "-v0")
    _manage(env, "load_demo", "--orgs", "320", "--members", "800")
    out = _manage(env, "shell", "-c", SCRIPT).stdout
    secrets = json.loads(out.split("SECRETS", 1)[1])
    numbers = {value.upper() for pair in secrets for value in pair if value}
    assert len(numbers) > 800

    copy = tmp_path / "copy"
    shutil.copytree(data, copy)  # what a backup, a stolen disk or a careless share holds
    files = [path for path in copy.rglob("*") if path.is_file()]
    assert any(path.suffix == ".xlsx" for path in files), "the sheets are in the copy"
    assert not any(path.name == "secrets.json" for path in files)

    leaks = []
    for path in files:
        blobs = [path.read_bytes()]
        if zipfile.is_zipfile(path):  # an .xlsx in clear would hide its text in deflated parts
            with zipfile.ZipFile(path) as archive:
                blobs += [archive.read(name) for name in archive.namelist()]
        for blob in blobs:
            leaks += [(str(path.relative_to(copy)), value) for value in sorted(_found(blob, numbers))]
    assert leaks == []

    # the control: with the secrets, the same copy does hold them (the scan would see them)
    keys_file = json.loads((keys / "secrets.json").read_text())
    with override_settings(FILE_ENCRYPTION_KEYS=[keys_file["file_encryption_key"]]):
        opened = [unseal(path.read_bytes()) for path in files if path.suffix == ".xlsx"]
    seen = set()
    for sheet in opened:
        with zipfile.ZipFile(io.BytesIO(sheet)) as archive:
            for name in archive.namelist():
                seen |= _found(archive.read(name), numbers)
    assert len(seen) > 800
