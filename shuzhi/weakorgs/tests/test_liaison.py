"""Leaders' liaison points: assigned by the organiser, visits recorded by the leader, the leader's
own page, and the weak organisations no leader links to."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuzhi.core.models import AuditEvent, Notification
from shuzhi.weakorgs import services
from shuzhi.weakorgs.models import LiaisonPoint, Visit

pytestmark = pytest.mark.django_db
YEAR = date.today().year


def _assign(cast, org=None, **extra):
    return services.liaison_assign(actor=cast.county_organiser, org=org or cast.village_a, leader_name="陈明",
                                   leader_post="区委常委、组织部部长", **extra)  # fmt: skip


def test_an_organiser_assigns_a_leader_who_is_told_and_sees_the_point_on_their_page(client, cast):
    reviewer = cast.reviewer
    reviewer.organization = cast.county_a
    reviewer.save()
    point = _assign(cast, leader_username=reviewer.username)
    assert AuditEvent.objects.filter(action="weakorgs.liaison_assign", target_id=str(point.pk)).exists()
    assert Notification.objects.filter(recipient=reviewer, link=point.get_absolute_url()).exists()
    client.force_login(reviewer)
    response = client.get(reverse("weakorgs:my_points"))
    assert response.status_code == 200 and "王庄村党支部" in response.content.decode()
    response = client.post(reverse("weakorgs:visit", args=[point.pk]),
                           {"on": date.today().isoformat(), "found": "支部活动场所漏雨", "solved": "协调维修资金"})  # fmt: skip
    assert response.status_code == 302
    assert Visit.objects.get().recorded_by == reviewer


def test_assignment_is_refused_outside_the_subtree_for_a_non_grassroots_org_and_twice(cast):
    with pytest.raises(ValidationError):
        services.liaison_assign(
            actor=cast.outsider, org=cast.village_a, leader_name="外区", leader_post="常委"
        )
    with pytest.raises(ValidationError):
        _assign(cast, org=cast.township_a)
    with pytest.raises(ValidationError) as error:
        _assign(cast, leader_username="outsider")  # an account of the neighbouring county
    assert "leader_username" in error.value.error_dict
    _assign(cast)
    with pytest.raises(ValidationError) as error:
        _assign(cast)
    assert "已联系" in str(error.value)
    assert LiaisonPoint.objects.count() == 1


def test_a_visit_needs_what_was_found_and_a_past_date_and_only_the_leader_or_an_organiser(cast):
    point = _assign(cast)
    with pytest.raises(ValidationError):
        services.visit_add(actor=cast.county_organiser, point=point, on=date.today(), found=" ")
    with pytest.raises(ValidationError):
        services.visit_add(
            actor=cast.county_organiser, point=point, on=date.today() + timedelta(days=1), found="x"
        )
    with pytest.raises(ValidationError):
        services.visit_add(actor=cast.township_secretary, point=point, on=date.today(), found="不是本人")
    services.liaison_end(actor=cast.county_organiser, point=point, reason="工作调整")
    with pytest.raises(ValidationError):
        services.visit_add(actor=cast.county_organiser, point=point, on=date.today(), found="已调整")
    assert not Visit.objects.exists()


def test_the_liaison_page_shows_weak_organisations_without_a_leader(client, cast):
    services.entry_add(actor=cast.county_organiser, org=cast.village_a, year=YEAR, reason="一")
    services.entry_add(actor=cast.county_organiser, org=cast.village_a2, year=YEAR, reason="二")
    _assign(cast)
    client.force_login(cast.county_organiser)
    response = client.get(reverse("weakorgs:liaison"), {"year": YEAR})
    assert response.status_code == 200
    unlinked = [e.organization for e in response.context["unlinked"]]
    assert unlinked == [cast.village_a2]


def test_liaison_pages_refuse_other_roles_scopes_and_methods(client, cast):
    point = _assign(cast)
    client.force_login(cast.member_user)
    assert client.get(reverse("weakorgs:liaison")).status_code == 403
    assert client.get(reverse("weakorgs:point", args=[point.pk])).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(reverse("weakorgs:point", args=[point.pk])).status_code == 404
    assert client.get(reverse("weakorgs:liaison_assign", args=[cast.village_a.pk])).status_code == 404
    client.force_login(cast.county_organiser)
    assert client.get(reverse("weakorgs:visit", args=[point.pk])).status_code == 405
    response = client.post(reverse("weakorgs:liaison_assign", args=[cast.village_a2.pk]),
                           {"leader_name": "周丽", "leader_post": ""})  # fmt: skip
    assert response.status_code == 400 and "周丽" in response.content.decode()
