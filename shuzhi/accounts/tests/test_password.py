import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuzhi.accounts.services import generate_password
from shuzhi.accounts.validators import character_classes
from shuzhi.core.models import AuditEvent
from shuzhi.testing.factories import PASSWORD


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!", "至少需要 8 个字符"),
        ("abcdefgh12", "至少三类"),
        ("ABCDEFGH!!", "至少三类"),
        ("abcdefghij", "至少三类"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(db, password, message):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert any(message in m for m in error.value.messages)


@pytest.mark.parametrize("password", ["Dang-Jian-2025", "zhiShu2025x", "述职评议Ab12", "shu!zhi#2025"])
def test_passwords_with_three_kinds_of_character_are_accepted(db, password):
    validate_password(password)


def test_generated_passwords_always_meet_the_policy(db):
    for _ in range(200):
        password = generate_password()
        assert len(password) == 14 and character_classes(password) == 4
        validate_password(password)


def test_a_user_changes_their_password_and_it_is_audited(client, cast):
    client.force_login(cast.reviewer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password": "Ping-Yi-2025!", "new_password_again": "Ping-Yi-2025!"},
    )
    assert response.status_code == 302
    cast.reviewer.refresh_from_db()
    assert cast.reviewer.check_password("Ping-Yi-2025!")
    assert cast.reviewer.password.startswith("argon2")
    event = AuditEvent.objects.get(action="user.change_password")
    assert "Ping-Yi" not in str(event.changes)


def test_a_password_change_is_refused_for_a_wrong_current_password_or_a_weak_new_one(client, cast):
    client.force_login(cast.reviewer)
    url = reverse("accounts:password_change")
    wrong = client.post(
        url, {"old_password": "x", "new_password": "Ping-Yi-2025!", "new_password_again": "Ping-Yi-2025!"}
    )
    assert "当前密码不正确" in wrong.content.decode()
    weak = client.post(
        url, {"old_password": PASSWORD, "new_password": "12345678", "new_password_again": "12345678"}
    )
    assert "至少三类" in weak.content.decode()
    mismatch = client.post(
        url,
        {"old_password": PASSWORD, "new_password": "Ping-Yi-2025!", "new_password_again": "Ping-Yi-2026!"},
    )
    assert "不一致" in mismatch.content.decode()
    cast.reviewer.refresh_from_db()
    assert cast.reviewer.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.change_password").exists()
