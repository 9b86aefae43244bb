"""Files holding personal data are encrypted at rest and readable by the platform's user only;
the embedded database too is created mode 0600."""

import base64
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings

from shuzhi.core.files import is_sealed, seal, unseal

ROOT = Path(__file__).resolve().parents[3]
SHEET = "身份证号,联系电话\n110101199003071233,13812345678\n".encode()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_stored_file_is_sealed_on_disk_mode_0600_and_read_back_whole(settings):
    name = default_storage.save("exchange/2026/01/roster.xlsx", ContentFile(SHEET))
    on_disk = Path(settings.MEDIA_ROOT) / name
    raw = on_disk.read_bytes()
    assert is_sealed(raw) and b"110101199003071233" not in raw and b"13812345678" not in raw
    assert _mode(on_disk) == 0o600
    assert _mode(on_disk.parent) == 0o700
    with default_storage.open(name) as stored:
        assert stored.read() == SHEET
    assert default_storage.size(name) == len(SHEET)


def test_a_file_is_opened_with_an_older_key_after_rotation_and_refused_without_any(settings):
    old = settings.FILE_ENCRYPTION_KEYS[0]
    sealed = seal(SHEET)
    new = base64.b64encode(b"n" * 32).decode()
    with override_settings(FILE_ENCRYPTION_KEYS=[new, old]):
        assert unseal(sealed) == SHEET
        assert unseal(seal(SHEET)) == SHEET
    with override_settings(FILE_ENCRYPTION_KEYS=[new]), pytest.raises(Exception, match="key"):
        unseal(sealed)


def test_a_file_stored_before_encryption_is_still_read(settings):
    plain = Path(settings.MEDIA_ROOT) / "exchange" / "old.xlsx"
    plain.parent.mkdir(parents=True)
    plain.write_bytes(b"PK old sheet")
    with default_storage.open("exchange/old.xlsx") as stored:
        assert stored.read() == b"PK old sheet"


def test_the_embedded_database_and_the_secrets_are_created_for_their_owner_only(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "SHUZHI_DATA_DIR": str(data), "SHUZHI_SECRETS_FILE": ""}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, check=True, capture_output=True)
    assert _mode(data / "shuzhi.sqlite3") == 0o600
    assert _mode(data / "secrets.json") == 0o600
    # a database left world-readable by an older release is taken back
    (data / "shuzhi.sqlite3").chmod(0o644)
    subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, check=True, capture_output=True)
    assert _mode(data / "shuzhi.sqlite3") == 0o600


def test_the_deploy_check_warns_when_the_keys_or_anchors_live_in_the_data_folder(settings, tmp_path):
    from shuzhi.core.checks import keys_apart_from_data

    settings.DATA_DIR = tmp_path / "data"
    settings.SECRETS_FILE = tmp_path / "data" / "secrets.json"
    settings.AUDIT_ANCHOR_DIR = tmp_path / "data" / "anchors"
    assert [w.id for w in keys_apart_from_data(None)] == ["shuzhi.W001", "shuzhi.W002"]
    settings.SECRETS_FILE = tmp_path / "keys" / "secrets.json"
    settings.AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    assert keys_apart_from_data(None) == []


def test_files_stored_in_clear_by_an_older_release_are_sealed_in_place(settings):
    media = Path(settings.MEDIA_ROOT)
    old = media / "exchange" / "2025" / "01" / "old.xlsx"
    old.parent.mkdir(parents=True)
    old.write_bytes(SHEET)
    old.chmod(0o644)
    new = default_storage.save("exchange/reports/new-errors.xlsx", ContentFile(b"new report"))
    before_new = (media / new).read_bytes()

    out = io.StringIO()
    call_command("seal_stored_files", stdout=out)

    assert "加密其中 1 个" in out.getvalue()
    assert is_sealed(old.read_bytes()) and b"110101199003071233" not in old.read_bytes()
    assert _mode(old) == 0o600 and _mode(old.parent) == 0o700
    assert (media / new).read_bytes() == before_new  # sealed already: left alone
    with default_storage.open("exchange/2025/01/old.xlsx") as stored:
        assert stored.read() == SHEET
    call_command("seal_stored_files", stdout=io.StringIO())  # again: nothing to do
    assert unseal(old.read_bytes()) == SHEET
