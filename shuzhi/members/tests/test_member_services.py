"""member_create and member_update: a record that agrees with its ID number, the organisations'
member counters kept, and audit snapshots that never hold a whole ID number or phone."""

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuzhi.core.models import AuditEvent
from shuzhi.members.models import Member
from shuzhi.members.services import member_create, member_update
from shuzhi.orgs.models import Organization

ID_NUMBER = "110101199003071233"  # a man born 7 March 1990
FEMALE_ID_NUMBER = "11010119900307010X"  # a woman born the same day; check character X
PHONE = "13812345678"


def _values(**overrides):
    values = {
        "name": "钱明",
        "gender": "M",
        "ethnicity": "汉族",
        "birth_date": date(1990, 3, 7),
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "education": "bachelor",
        "joined_on": date(2012, 7, 1),
        "full_member_on": date(2013, 7, 1),
        "status": "full",
        "category": "employed",
    }
    values.update(overrides)
    return values


def _register(cast, **overrides):
    return member_create(actor=cast.county_organiser, organization=cast.village_a, **_values(**overrides))


def _counts(org):
    org = Organization.objects.get(pk=org.pk)
    return org.member_count, org.probationary_count


def _update(cast, member, **overrides):
    member = Member.objects.select_related("organization").get(pk=member.pk)
    values = {field: getattr(member, field) for field in _values()}
    values.update(overrides)
    organization = values.pop("organization", member.organization)
    return member_update(actor=cast.county_organiser, member=member, organization=organization, **values)


def test_it_registers_a_member_counts_them_and_audits_a_masked_snapshot(cast):
    member = _register(cast)

    member = Member.objects.get(pk=member.pk)
    assert (member.name, member.id_number, member.phone) == ("钱明", ID_NUMBER, PHONE)
    assert member.org_path == cast.village_a.path
    assert _counts(cast.village_a) == (3, 0)
    event = AuditEvent.objects.get(action="member.create")
    assert (event.actor, event.target_id) == (cast.county_organiser, str(member.pk))
    after = event.changes["after"]
    assert (after["id_number"], after["phone"]) == ("110***********1233", "138****5678")
    assert after["organization"] == "王庄村党支部"
    stored = json.dumps(event.changes, ensure_ascii=False)
    assert ID_NUMBER not in stored
    assert PHONE not in stored


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": "110101199003071234"}, "id_number", "身份证号校验位不正确，请核对是否有录入错误。"),
        (
            {"id_number": "11010119900307123"},
            "id_number",
            "身份证号应为18位，前17位是数字，最后一位是数字或X。",
        ),
        ({"id_number": "110101199002301236"}, "id_number", "身份证号中的出生日期（第7–14位）不是有效日期。"),
        (
            {"birth_date": date(1990, 3, 8)},
            "birth_date",
            "出生日期与身份证号不符：身份证号中的出生日期是 1990-03-07。身份证号校验无误，请改正出生日期（也可不填，按身份证号确定）。",
        ),
        (
            {"gender": "F"},
            "gender",
            "性别与身份证号不符：身份证号第17位表示男性。身份证号校验无误，请改正性别（也可不填，按身份证号确定）。",
        ),
        # the day before the 18th birthday
        ({"joined_on": date(2008, 3, 6)}, "joined_on", "入党时应年满十八岁，请核对入党日期和出生日期。"),
        (
            {"status": "probationary", "full_member_on": date(2013, 7, 1)},
            "full_member_on",
            "预备党员尚未转正，不应填写转正日期。",
        ),
        ({"full_member_on": date(2012, 7, 1)}, "full_member_on", "转正日期应晚于入党日期。"),
        ({"phone": "12345"}, "phone", "联系电话应为11位手机号或带区号的固定电话（如 0516-12345678）。"),
    ],
    ids=[
        "check-character",
        "seventeen-digits",
        "30-february",
        "birth-date",
        "gender",
        "joined-at-17",
        "probationary-with-full-date",
        "full-before-joining",
        "phone",
    ],
)
def test_it_refuses_a_record_that_does_not_hold_together(cast, overrides, field, message):
    before = Member.objects.count()

    with pytest.raises(ValidationError) as error:
        _register(cast, **overrides)

    assert error.value.message_dict[field] == [message]
    assert Member.objects.count() == before
    assert _counts(cast.village_a) == (2, 0)
    assert not AuditEvent.objects.filter(action="member.create").exists()


def test_joining_on_the_18th_birthday_is_allowed(cast):
    member = _register(cast, joined_on=date(2008, 3, 7), full_member_on=date(2009, 3, 7))

    assert Member.objects.get(pk=member.pk).joined_on == date(2008, 3, 7)


def test_it_refuses_an_id_number_already_registered(cast):
    _register(cast)

    with pytest.raises(ValidationError) as error:
        member_create(actor=cast.county_organiser, organization=cast.village_a2, **_values(name="钱明二"))

    assert error.value.message_dict["id_number_hash"] == ["该身份证号已登记在另一名党员名下。"]
    assert list(Member.objects.filter(name__startswith="钱明").values_list("name", flat=True)) == ["钱明"]
    assert _counts(cast.village_a2) == (1, 1)
    assert AuditEvent.objects.filter(action="member.create").count() == 1


def test_it_knows_an_id_number_however_it_is_typed(cast):
    _register(cast, name="钱芳", gender="F", id_number=FEMALE_ID_NUMBER)

    with pytest.raises(ValidationError) as error:
        _register(cast, name="钱芳二", gender="F", id_number=" 11010119900307010x ")

    assert "id_number_hash" in error.value.message_dict
    assert not Member.objects.filter(name="钱芳二").exists()


def test_moving_a_member_updates_their_path_and_both_organisations_counters(cast):
    member = _update(cast, cast.member_a, organization=cast.village_a2)

    member = Member.objects.get(pk=member.pk)
    assert (member.organization, member.org_path) == (cast.village_a2, cast.village_a2.path)
    # 王庄村 keeps 李秀英; 李集村 has 赵晨 (probationary) and now 王建国
    assert _counts(cast.village_a) == (1, 0)
    assert _counts(cast.village_a2) == (2, 1)
    assert _counts(cast.township_a) == (0, 0)
    event = AuditEvent.objects.get(action="member.update")
    assert event.changes == {
        "before": {"organization": "王庄村党支部", "organization_id": cast.village_a.pk},
        "after": {"organization": "李集村党支部", "organization_id": cast.village_a2.pk},
    }


def test_moving_a_probationary_member_moves_the_probationary_count_too(cast):
    _update(cast, cast.member_a2, organization=cast.village_a)

    assert _counts(cast.village_a) == (3, 1)
    assert _counts(cast.village_a2) == (0, 0)


def test_full_membership_takes_the_member_off_the_probationary_count(cast):
    _update(cast, cast.member_a2, status="full", full_member_on=timezone.localdate())

    assert _counts(cast.village_a2) == (1, 0)
    assert Member.objects.get(pk=cast.member_a2.pk).status == "full"


def test_an_update_audits_the_phone_and_id_number_masked(cast):
    member = _register(cast)

    _update(cast, member, phone="13911112222", id_number=FEMALE_ID_NUMBER, gender="F")

    member = Member.objects.get(pk=member.pk)
    assert (member.phone, member.id_number, member.gender) == ("13911112222", FEMALE_ID_NUMBER, "F")
    event = AuditEvent.objects.get(action="member.update")
    assert event.changes == {
        "before": {"gender": "M", "id_number": "110***********1233", "phone": "138****5678"},
        "after": {"gender": "F", "id_number": "110***********010X", "phone": "139****2222"},
    }
    stored = json.dumps(event.changes, ensure_ascii=False)
    for whole in (ID_NUMBER, FEMALE_ID_NUMBER, PHONE, "13911112222"):
        assert whole not in stored


def test_an_update_that_changes_nothing_writes_no_audit_event(cast):
    _update(cast, cast.member_a)

    assert not AuditEvent.objects.filter(action="member.update").exists()


def test_a_refused_update_changes_nothing(cast):
    with pytest.raises(ValidationError) as error:
        _update(cast, cast.member_a, organization=cast.village_a2, gender="F")

    assert error.value.message_dict["gender"] == [
        "性别与身份证号不符：身份证号第17位表示男性。身份证号校验无误，请改正性别（也可不填，按身份证号确定）。"
    ]
    member = Member.objects.get(pk=cast.member_a.pk)
    assert (member.organization, member.gender) == (cast.village_a, "M")
    assert _counts(cast.village_a) == (2, 0)
    assert not AuditEvent.objects.filter(action="member.update").exists()


def test_an_update_cannot_take_another_members_id_number(cast):
    with pytest.raises(ValidationError) as error:
        _update(cast, cast.member_a, id_number=cast.member_b.id_number, birth_date=cast.member_b.birth_date)

    assert "id_number_hash" in error.value.message_dict
    assert Member.objects.get(pk=cast.member_a.pk).id_number != cast.member_b.id_number


def test_it_refuses_a_field_it_does_not_edit(cast):
    with pytest.raises(TypeError):
        _update(cast, cast.member_a, org_path="0002")

    assert Member.objects.get(pk=cast.member_a.pk).org_path == cast.village_a.path
