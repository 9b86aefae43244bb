import base64

import pytest
from cryptography.exceptions import InvalidTag
from django.test import override_settings

from shuzhi.core import protection


def test_it_encrypts_so_that_equal_values_look_different():
    a = protection.encrypt("320102198001011234", context=b"t.c")
    b = protection.encrypt("320102198001011234", context=b"t.c")
    assert a != b
    assert a.startswith("enc:") and "320102198001011234" not in a
    assert protection.decrypt(a, context=b"t.c") == "320102198001011234"


def test_a_ciphertext_moved_to_another_column_does_not_decrypt():
    sealed = protection.encrypt("13800001111", context=b"members_member.phone")
    with pytest.raises(InvalidTag):
        protection.decrypt(sealed, context=b"members_member.id_number")


def test_keys_can_be_rotated_old_values_still_read():
    old = protection.encrypt("秘密", context=b"x")
    new_key = base64.b64encode(b"k" * 32).decode()
    from django.conf import settings

    protection._keyring.cache_clear()
    try:
        with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, *settings.FIELD_ENCRYPTION_KEYS]):
            protection._keyring.cache_clear()
            assert protection.decrypt(old, context=b"x") == "秘密"
            rotated = protection.encrypt("秘密", context=b"x")
            assert rotated.split(":")[1] != old.split(":")[1]
    finally:
        protection._keyring.cache_clear()


def test_the_keyed_hash_is_stable_and_depends_on_purpose():
    assert protection.keyed_hash("1", purpose="a") == protection.keyed_hash("1", purpose="a")
    assert protection.keyed_hash("1", purpose="a") != protection.keyed_hash("1", purpose="b")
    assert len(protection.keyed_hash("1", purpose="a")) == 32


def test_the_keyed_hash_is_standard_hmac_sha256(settings):
    import hashlib
    import hmac

    key = base64.b64decode(settings.FIELD_HASH_KEY)
    expected = hmac.new(key, b"id_number\x00320102198001011234", hashlib.sha256).digest()
    assert protection.keyed_hash("320102198001011234", purpose="id_number") == expected


def test_the_hasher_for_many_values_gives_the_keyed_hash():
    hasher = protection.keyed_hasher("id_number")
    for value in ("320102198001011234", "", "王芳", "1" * 200):
        assert hasher(value) == protection.keyed_hash(value, purpose="id_number")


@pytest.mark.django_db
def test_the_byte_sealer_of_a_bulk_writer_stores_what_the_field_reads_back():
    from shuzhi.members.models import Member

    field = Member._meta.get_field("id_number")
    seal = field.byte_sealer()
    first, second = seal(b"320102198001011234"), seal(b"320102198001011234")
    assert first != second  # a nonce of its own for every value
    assert first.startswith(b"enc:") and b"320102198001011234" not in first
    assert field.from_db_value(first.decode(), None, None) == "320102198001011234"
    assert seal(b"") == b""  # empty stays empty, as seal() leaves it
    with pytest.raises(InvalidTag):  # bound to its column
        Member._meta.get_field("phone").from_db_value(first.decode(), None, None)
