"""联述联评联考: a cycle offered to the levels below as a template, and a county's own cycle made
from it in one step, its dates no later than the city's."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.models import AuditEvent, Notification
from shuzhi.core.roles import Role
from shuzhi.cycles.models import Cycle
from shuzhi.cycles.services import cycle_create, cycle_offer
from shuzhi.testing.cycles import county_cycle
from shuzhi.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def city_cycle(cast) -> Cycle:
    today = timezone.localdate()
    return cycle_create(
        actor=cast.city_organiser, year=today.year, title=f"云州市{today.year}年度抓基层党建工作述职评议考核",
        groups=["县区", "市直机关"], report_due=today + timedelta(days=30), meeting_on=today + timedelta(days=40),
    )  # fmt: skip


def test_the_city_offers_its_cycle_and_the_counties_organisers_are_told(client, cast):
    cycle = city_cycle(cast)
    client.force_login(cast.city_organiser)

    response = client.post(reverse("cycles:offer", args=[cycle.pk]))

    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.offered_at is not None
    assert AuditEvent.objects.filter(action="cycle.offer", actor=cast.city_organiser).exists()
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {cast.county_organiser.username, cast.outsider.username}
    assert 'data-testid="offered"' in client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    assert client.get(reverse("cycles:offer", args=[cycle.pk])).status_code == 405


def test_only_the_organisers_one_level_below_are_told(cast):
    """A township's organiser hears of the county's cycle from the county, not of the city's."""
    township = UserFactory(username="township_org", role=Role.ORGANISER, organization=cast.township_a)
    assert cycle_offer(actor=cast.city_organiser, cycle=city_cycle(cast)) == 2
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {cast.county_organiser.username, cast.outsider.username}
    county = county_cycle(cast)
    Notification.objects.all().delete()  # the county's cycle opened 柳泉镇's report
    cycle_offer(actor=cast.county_organiser, cycle=county)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {township.username}


def test_only_the_cycles_own_organiser_offers_it(client, cast):
    cycle = city_cycle(cast)
    client.force_login(cast.county_organiser)  # the city's cycle is above the county: not found
    assert client.post(reverse("cycles:offer", args=[cycle.pk])).status_code == 404
    client.force_login(cast.township_secretary)
    assert client.post(reverse("cycles:offer", args=[cycle.pk])).status_code == 403
    cycle.refresh_from_db()
    assert cycle.offered_at is None


def test_a_county_makes_its_own_cycle_from_the_template_in_one_step(client, cast):
    template = city_cycle(cast)
    cycle_offer(actor=cast.city_organiser, cycle=template)
    client.force_login(cast.county_organiser)
    page = client.get(reverse("cycles:templates")).content.decode()
    assert template.title in page

    response = client.post(reverse("cycles:templates"), {
        "template": template.pk, f"t{template.pk}-title": "东湖区年度述职评议",
        f"t{template.pk}-report_due": (template.report_due - timedelta(days=10)).isoformat(),
        f"t{template.pk}-meeting_on": template.meeting_on.isoformat(),
    })  # fmt: skip

    own = Cycle.objects.get(organization=cast.county_a)
    assert response.status_code == 302 and response["Location"] == reverse("cycles:detail", args=[own.pk])
    assert own.template == template and own.groups == template.groups and own.scheme == template.scheme
    assert own.year == template.year
    assert AuditEvent.objects.filter(action="cycle.from_template", actor=cast.county_organiser).exists()
    assert "按此模板建立" in client.get(reverse("cycles:templates")).content.decode()


def test_a_deadline_after_the_parents_is_refused_with_the_reason_and_nothing_is_made(client, cast):
    template = city_cycle(cast)
    cycle_offer(actor=cast.city_organiser, cycle=template)
    client.force_login(cast.county_organiser)
    late = (template.report_due + timedelta(days=1)).isoformat()

    response = client.post(reverse("cycles:templates"), {
        "template": template.pk, f"t{template.pk}-title": "东湖区年度述职评议",
        f"t{template.pk}-report_due": late, f"t{template.pk}-meeting_on": template.meeting_on.isoformat(),
    })  # fmt: skip

    assert response.status_code == 400
    content = response.content.decode()
    assert "不得晚于上级" in content and template.report_due.isoformat() in content
    assert f'value="{late}"' in content  # what was typed stays
    assert not Cycle.objects.filter(organization=cast.county_a).exists()


def test_a_template_of_another_county_is_neither_listed_nor_usable(client, cast):
    county = county_cycle(cast, open_reports=False)
    cycle_offer(actor=cast.county_organiser, cycle=county)
    client.force_login(cast.outsider)
    assert county.title not in client.get(reverse("cycles:templates")).content.decode()
    response = client.post(reverse("cycles:templates"), {"template": county.pk})
    assert response.status_code == 404
    client.force_login(cast.township_secretary)
    assert client.get(reverse("cycles:templates")).status_code == 403
