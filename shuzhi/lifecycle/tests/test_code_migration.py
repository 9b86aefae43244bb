"""Migration 0010: the test codes stored in clear before it are hashed, the clear column dropped
(0011), and the code still opens its paper."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from shuzhi.lifecycle import training as training_services
from shuzhi.testing.migrations import migrate_to, migrate_to_latest

BEFORE = ("lifecycle", "0008_member_left_on_from_departures")


@pytest.mark.owner  # runs migrations
@pytest.mark.django_db(transaction=True)
def test_codes_kept_in_clear_are_hashed_and_the_clear_column_goes(cast):
    old = migrate_to(BEFORE)
    bank = old.get_model("lifecycle", "QuestionBank").objects.create(
        organization_id=cast.county_a.pk, org_path=cast.county_a.path, title="题库"
    )
    exam = old.get_model("lifecycle", "Exam").objects.create(
        organization_id=cast.county_a.pk, org_path=cast.county_a.path, bank=bank, title="履职资格测试",
        audience="worker",
    )  # fmt: skip
    now = timezone.now()
    old.get_model("lifecycle", "Sitting").objects.create(
        exam=exam, user_id=cast.township_secretary.pk, org_path=cast.township_a.path, number=1, code="KXP3M7QA",
        paper=[], expires_at=now + timedelta(days=7), issued_by_id=cast.township_secretary.pk,
    )  # fmt: skip

    migrate_to_latest()
    with connection.cursor() as cursor:
        columns = [
            c.name for c in connection.introspection.get_table_description(cursor, "lifecycle_sitting")
        ]
    assert "code" not in columns and "code_hash" in columns
    found = training_services.sitting_by_code("kxp3 m7qa")
    assert found is not None and found.exam.title == "履职资格测试"
    assert training_services.sitting_by_code("KXP3M7QB") is None
