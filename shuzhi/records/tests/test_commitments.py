"""承诺践诺: a member's commitments of the year, written by them or for them, found kept or not."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.models import AuditEvent
from shuzhi.records.models import Commitment
from shuzhi.records.services import commitment_add, commitment_review
from shuzhi.testing.records import branch_secretary

pytestmark = pytest.mark.django_db


def test_a_member_writes_their_own_and_the_branch_reviews_it(client, cast):
    year = timezone.localdate().year
    client.force_login(cast.member_user)
    response = client.post(
        reverse("records:mine_commitment") + f"?year={year}", {"text": "  帮扶 2 户困难群众 "}
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert (
        commitment.text == "帮扶 2 户困难群众"
        and commitment.member == cast.member_a
        and commitment.status == "pending"
    )
    keeper = branch_secretary(cast.village_a)
    client.force_login(keeper)
    url = reverse("records:commitments", args=[cast.village_a.pk]) + f"?year={year}"
    assert "帮扶 2 户困难群众" in client.get(url).content.decode()
    response = client.post(
        url, {"action": "review", "commitment": commitment.pk, "status": "partly", "note": ""}
    )
    assert "请写明原因" in client.get(response["Location"]).content.decode()
    client.post(
        url, {"action": "review", "commitment": commitment.pk, "status": "partly", "note": "完成 1 户"}
    )
    commitment.refresh_from_db()
    assert commitment.status == "partly" and commitment.review_note == "完成 1 户"
    client.post(url, {"action": "add", "member": cast.secretary_a.pk, "text": "每季度讲一次党课"})
    assert Commitment.objects.filter(member=cast.secretary_a).count() == 1
    assert AuditEvent.objects.filter(action__startswith="records.commitment").count() == 3
    client.force_login(cast.member_user)
    page = client.get(reverse("records:mine")).content.decode()
    assert "部分践诺" in page and "完成 1 户" in page and "每季度讲一次党课" not in page


def test_nobody_writes_or_reviews_outside_their_branch(client, cast):
    year = timezone.localdate().year
    own = commitment_add(actor=cast.member_user, member=cast.member_a, year=year, text="参加志愿服务")
    with pytest.raises(PermissionDenied):
        commitment_add(actor=cast.member_user, member=cast.secretary_a, year=year, text="替别人写")
    with pytest.raises(PermissionDenied):
        commitment_review(actor=cast.member_user, commitment=own, status="kept")  # not their own verdict
    with pytest.raises(PermissionDenied):
        commitment_review(actor=branch_secretary(cast.village_b, username="b"), commitment=own, status="kept")
    with pytest.raises(ValidationError):
        commitment_add(actor=cast.member_user, member=cast.member_a, year=year, text="   ")
    client.force_login(branch_secretary(cast.village_b, username="b2"))
    url = reverse("records:commitments", args=[cast.village_a.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "review", "commitment": own.pk, "status": "kept"}).status_code == 404
    client.force_login(cast.county_organiser)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "review", "commitment": own.pk, "status": "kept"}).status_code == 403
    client.force_login(branch_secretary(cast.village_a))
    other = reverse("records:commitments", args=[cast.village_a.pk])
    client.post(other, {"action": "review", "commitment": own.pk + 999, "status": "kept"})
    own.refresh_from_db()
    assert own.status == "pending"
    assert client.get(reverse("records:mine_commitment")).status_code == 405
    client.force_login(cast.county_organiser)
    assert client.post(reverse("records:mine_commitment"), {"text": "x"}).status_code == 403
