import pytest
from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.core.roles import Role
from shuzhi.core.services import audit_head_anchor, audit_record
from shuzhi.testing.factories import UserFactory


@pytest.fixture
def events(cast):
    audit_record(
        actor=cast.city_organiser, action="member.update", target=cast.member_a, org_path=cast.village_a.path
    )
    audit_record(
        actor=cast.outsider, action="member.update", target=cast.member_b, org_path=cast.village_b.path
    )
    audit_record(actor=None, action="security.update_policy", target_repr="安全策略", org_path="")


def test_the_auditor_reads_the_log_newest_first(client, cast, events):
    client.force_login(cast.auditor)
    response = client.get(reverse("core:audit_list"))
    assert response.status_code == 200
    rows = list(response.context["page"])
    assert [e.seq for e in rows] == sorted((e.seq for e in rows), reverse=True)
    assert {e.action for e in rows} >= {"member.update", "security.update_policy"}


def test_the_auditor_filters_by_action_and_actor(client, cast, events):
    client.force_login(cast.auditor)
    response = client.get(reverse("core:audit_list"), {"action": "member.", "actor": "outsider"})
    assert [e.target_repr for e in response.context["page"]] == ["张伟"]


def test_a_county_auditor_sees_only_their_county_and_no_system_events(client, cast, events):
    county_auditor = UserFactory(username="county_auditor", role=Role.AUDITOR, organization=cast.county_b)
    client.force_login(county_auditor)
    response = client.get(reverse("core:audit_list"))
    shown = list(response.context["page"])
    assert shown
    assert all(e.org_path.startswith(cast.county_b.path) for e in shown)
    assert "王建国" not in response.content.decode()
    other = AuditEvent.objects.get(target_repr="王建国", action="member.update")
    assert client.get(reverse("core:audit_detail", args=[other.seq])).status_code == 404


def test_an_event_page_shows_its_changes_and_hashes(client, cast, events):
    event = AuditEvent.objects.get(target_repr="王建国", action="member.update")
    client.force_login(cast.auditor)
    response = client.get(reverse("core:audit_detail", args=[event.seq]))
    assert response.status_code == 200
    assert event.hash in response.content.decode()


def test_the_auditor_verifies_the_chain_from_the_page(client, cast, events):
    client.force_login(cast.auditor)
    # no anchor outside the database yet (the test's transaction never commits): not a pass
    assert "锚点文件" in client.post(reverse("core:audit_verify")).content.decode()
    audit_head_anchor()  # what each commit and the worker do
    response = client.post(reverse("core:audit_verify"))
    assert "日志完整" in response.content.decode()


def test_nobody_else_reads_the_log_not_even_the_system_administrator(client, cast, events):
    for user in (cast.sysadmin, cast.secadmin, cast.city_organiser):
        client.force_login(user)
        assert client.get(reverse("core:audit_list")).status_code == 403


def test_the_audit_list_query_count_does_not_grow_with_the_page(
    client, cast, events, django_assert_num_queries
):
    client.force_login(cast.auditor)
    client.get(reverse("core:audit_list"))
    # session, user+organisation, count, page of events; the security policy comes from the cache
    # and the session is not written again within the minute
    with django_assert_num_queries(4):
        client.get(reverse("core:audit_list"))
    for i in range(30):
        audit_record(actor=None, action="test.more", target_repr=str(i), org_path=cast.city.path)
    with django_assert_num_queries(4):
        client.get(reverse("core:audit_list"))
