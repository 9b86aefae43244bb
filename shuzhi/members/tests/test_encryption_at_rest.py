"""What the database holds of a member's ID number and phone: ciphertext bound to its column,
and a keyed hash that is the same for the same number."""

from datetime import date

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import FieldError
from django.db import connection

from shuzhi.core.protection import keyed_hash
from shuzhi.members.models import Member
from shuzhi.members.selectors import member_by_id_number
from shuzhi.members.services import member_create, member_update

ID_NUMBER = "110101199003071233"
PHONE = "13812345678"


@pytest.fixture
def member(cast):
    return member_create(
        actor=cast.county_organiser,
        organization=cast.village_a,
        id_number=ID_NUMBER,
        phone=PHONE,
        name="钱明",
        gender="M",
        ethnicity="汉族",
        birth_date=date(1990, 3, 7),
        education="bachelor",
        joined_on=date(2012, 7, 1),
        full_member_on=date(2013, 7, 1),
        status="full",
        category="employed",
    )


def _raw(member):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, id_number_hash, phone_hash FROM members_member WHERE id = %s",
            [member.pk],
        )
        return cursor.fetchone()


def test_the_columns_hold_ciphertext_not_the_numbers(member):
    id_number, phone, id_hash, phone_hash = _raw(member)

    assert id_number.startswith("enc:")
    assert phone.startswith("enc:")
    for stored in (id_number, phone):
        assert ID_NUMBER not in stored
        assert PHONE not in stored
        assert "19900307" not in stored
    for digest in (bytes(id_hash), bytes(phone_hash)):
        assert len(digest) == 32
        assert ID_NUMBER.encode() not in digest and PHONE.encode() not in digest
    assert Member.objects.get(pk=member.pk).id_number == ID_NUMBER


def test_the_same_number_is_encrypted_differently_each_time_but_hashed_the_same(cast, member):
    before = _raw(member)

    member = Member.objects.select_related("organization").get(pk=member.pk)
    member_update(
        actor=cast.county_organiser,
        member=member,
        organization=member.organization,
        id_number=ID_NUMBER.lower(),
        phone="138 1234 5678",
        **{
            field: getattr(member, field)
            for field in ("name", "gender", "birth_date", "joined_on", "category")
        },
    )
    after = _raw(member)

    assert after[0] != before[0]  # a fresh nonce
    assert after[2] == before[2] == keyed_hash(ID_NUMBER, purpose="id_number")
    assert after[3] == before[3] == keyed_hash(PHONE, purpose="phone")
    assert member_by_id_number(within=cast.township_a, id_number=f" {ID_NUMBER} ") == member
    assert member_by_id_number(within=cast.county_b, id_number=ID_NUMBER) is None


def test_the_hash_differs_between_numbers_and_between_purposes(member):
    assert keyed_hash(ID_NUMBER, purpose="id_number") != keyed_hash("11010119900307010X", purpose="id_number")
    assert keyed_hash(ID_NUMBER, purpose="id_number") != keyed_hash(ID_NUMBER, purpose="phone")


def test_a_phone_moved_into_the_id_number_column_cannot_be_read(member):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE members_member SET id_number = phone WHERE id = %s", [member.pk])

    with pytest.raises(InvalidTag):
        Member.objects.get(pk=member.pk)
    assert _raw(member)[0] == _raw(member)[1]  # the row is there; only reading it fails


def test_an_encrypted_column_cannot_be_searched_in_sql(member):
    with pytest.raises(FieldError):
        Member.objects.filter(id_number=ID_NUMBER).exists()
    with pytest.raises(FieldError):
        Member.objects.filter(phone__startswith="138").exists()
    assert Member.objects.filter(phone__isnull=False, pk=member.pk).exists()
