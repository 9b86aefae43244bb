"""`manage.py rotate_field_key`: a new field-encryption key goes first in the secrets file, every
encrypted column is re-encrypted under it in committed batches (an interrupted run is resumed by
the next), each run is audited, and the old key is removed only once nothing needs it."""

import base64
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from shuzhi.core import protection, services
from shuzhi.core.models import AuditEvent
from shuzhi.members.models import Member
from shuzhi.testing.factories import MemberFactory, make_id_number


@pytest.fixture
def keys(settings, tmp_path):
    """The secrets file of this test, and the keyring read afresh from settings."""
    path = tmp_path / "keys" / "secrets.json"
    path.parent.mkdir()
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    path.write_text(json.dumps({"field_encryption_key": old, "secret_key": "x"}))
    settings.SECRETS_FILE = path
    protection._keyring.cache_clear()
    yield path
    protection._keyring.cache_clear()


def _use_file_keys(settings, path) -> list[str]:
    """What a restart does: the settings read the keys from the file again."""
    data = json.loads(path.read_text())
    settings.FIELD_ENCRYPTION_KEYS = data.get("field_encryption_keys") or [data["field_encryption_key"]]
    protection._keyring.cache_clear()
    return settings.FIELD_ENCRYPTION_KEYS


@pytest.fixture
def roster(cast):
    from datetime import date

    for n in range(12):
        MemberFactory(
            organization=cast.village_a,
            birth_date=date(1980, 1, n + 1),
            id_number=make_id_number(date(1980, 1, n + 1), "M"),
            phone=f"1380000{n:04d}",
        )
    return {m.pk: (m.id_number, m.phone) for m in Member.objects.all()}


def _key_ids() -> dict[str, int]:
    counted: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM members_member")
        for values in cursor.fetchall():
            for value in values:
                if value:
                    key = protection.key_id_of(value)
                    counted[key] = counted.get(key, 0) + 1
    return counted


def test_a_rotation_interrupted_and_resumed_leaves_every_value_under_the_new_key(settings, keys, roster):
    old_id = protection.current_key_id()
    call_command("rotate_field_key", new_key=True, stdout=io.StringIO())
    assert len(json.loads(keys.read_text())["field_encryption_keys"]) == 2
    new, old = _use_file_keys(settings, keys)
    new_id = protection.current_key_id()
    assert new_id != old_id and base64.b64decode(new) != base64.b64decode(old)
    assert set(_key_ids()) == {old_id}

    # a first run stopped after two batches of five rows
    out = io.StringIO()
    call_command("rotate_field_key", batch_size=5, max_batches=2, stdout=out)
    assert "尚未完成" in out.getvalue()
    assert _key_ids()[new_id] == 2 * 5 * 2  # ten rows, two columns each
    assert old_id in _key_ids()

    # a second run dies in the middle of a batch: that batch is rolled back, the others stay
    real_decrypt, calls = services.decrypt, []

    def failing(value, *, context):
        calls.append(value)
        if len(calls) == 11:  # the first value of the run's second batch
            raise RuntimeError("power cut")
        return real_decrypt(value, context=context)

    services.decrypt = failing
    try:
        with pytest.raises(RuntimeError, match="power cut"):
            services.field_key_rotate(batch_size=5)
    finally:
        services.decrypt = real_decrypt
    after_crash = _key_ids()
    assert after_crash[new_id] == 10 * 2 + 5 * 2 and after_crash[old_id] == 2

    # resumed: everything under the new key, every value the same as before
    out = io.StringIO()
    call_command("rotate_field_key", batch_size=5, stdout=out)
    assert "全部完成" in out.getvalue()
    assert set(_key_ids()) == {new_id}
    assert {m.pk: (m.id_number, m.phone) for m in Member.objects.all()} == roster
    found = Member.objects.get(pk=next(iter(roster)))
    assert found.id_number_hash == protection.keyed_hash(found.id_number, purpose="id_number")

    # each run is in the audit log, the interrupted ones marked unfinished
    runs = list(AuditEvent.objects.filter(action="keys.field_rotation").order_by("seq"))
    assert [run.changes["finished"] for run in runs] == [False, False, True]
    assert all(run.changes["key"] == new_id for run in runs)
    assert sum(run.changes["rows"]["members.member"] for run in runs) == len(roster)

    # the old key can go now, and the data is still read without it
    call_command("rotate_field_key", retire_old_keys=True, stdout=io.StringIO())
    assert _use_file_keys(settings, keys) == [new]
    assert {m.pk: (m.id_number, m.phone) for m in Member.objects.all()} == roster


def test_the_old_key_is_not_removed_while_data_needs_it(settings, keys, roster):
    call_command("rotate_field_key", new_key=True, stdout=io.StringIO())
    _use_file_keys(settings, keys)
    with pytest.raises(CommandError, match="仍有数据使用旧密钥"):
        call_command("rotate_field_key", retire_old_keys=True, stdout=io.StringIO())
    assert len(json.loads(keys.read_text())["field_encryption_keys"]) == 2


def test_keys_from_the_environment_are_not_written_to_a_file(keys, roster, monkeypatch):
    monkeypatch.setenv("SHUZHI_FIELD_ENCRYPTION_KEYS", "a,b")
    with pytest.raises(CommandError, match="环境变量"):
        call_command("rotate_field_key", new_key=True, stdout=io.StringIO())
