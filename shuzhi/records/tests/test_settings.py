"""The rules as data, set on a page: the frequencies, by the organiser of the top organisation
only, audited, the running year judged again; bad input named in Chinese, kept as typed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.models import AuditEvent
from shuzhi.records.models import Completion, Requirement
from shuzhi.records.services import requirement_set
from shuzhi.testing.records import year_of_records

pytestmark = pytest.mark.django_db


def test_the_organiser_at_the_top_stops_asking_for_a_kind_and_the_running_year_is_judged_again(client, cast):
    year = timezone.localdate().year
    year_of_records(cast.village_b, year, skip_months=(1,))  # no 主题党日 in January
    year_of_records(cast.village_a, year - 1, skip_months=(1,))  # a past year keeps its judgement
    assert not Completion.objects.get(organization=cast.village_b, year=year).q1
    theme_day = Requirement.objects.get(kind="theme_day")
    client.force_login(cast.city_organiser)
    page = client.get(reverse("records:settings")).content.decode()
    assert theme_day.label in page and reverse("records:requirement_edit", args=[theme_day.pk]) in page
    url = reverse("records:requirement_edit", args=[theme_day.pk])
    assert "启用（计入完成情况）" in client.get(url).content.decode()
    response = client.post(url, {"period": "month", "times": "1", "min_members": "0"})  # unticked: not asked
    assert response.status_code == 302
    theme_day.refresh_from_db()
    assert not theme_day.active
    assert Completion.objects.get(organization=cast.village_b, year=year).q1
    assert not Completion.objects.get(organization=cast.village_a, year=year - 1).q1
    event = AuditEvent.objects.get(action="records.requirement_set")
    assert event.changes["before"]["active"] is True and event.changes["after"]["active"] is False


def test_bad_input_is_named_in_chinese_keeps_what_was_typed_and_changes_nothing(client, cast):
    congress = Requirement.objects.get(kind="congress")
    url = reverse("records:requirement_edit", args=[congress.pk])
    client.force_login(cast.city_organiser)
    for typed, field in (("abc", "times"), ("13", "times"), ("0", "times"), ("-1", "min_members")):
        data = {"period": "quarter", "times": "1", "min_members": "0", "active": "on", field: typed}
        response = client.post(url, data)
        page = response.content.decode()
        assert response.status_code == 200 and "is-invalid" in page and f'value="{typed}"' in page
        assert any(word in page for word in ("整数", "小于或等于", "大于或等于")), typed
    response = client.post(url, {"period": "fortnight", "times": "2", "min_members": "0"})
    assert response.status_code == 200 and "有效的选项" in response.content.decode()
    congress.refresh_from_db()
    assert (congress.period, congress.times, congress.active) == ("quarter", 1, True)
    assert not AuditEvent.objects.filter(action="records.requirement_set").exists()
    with pytest.raises(ValidationError) as caught:
        requirement_set(actor=cast.city_organiser, requirement=congress, period="quarter", times=40,
                        min_members=0, active=True)  # fmt: skip
    assert "次数应为 1 至 12" in str(caught.value)


def test_nobody_below_the_top_sets_the_rules_and_a_wrong_method_is_refused(client, cast):
    congress = Requirement.objects.get(kind="congress")
    url = reverse("records:requirement_edit", args=[congress.pk])
    data = {"period": "month", "times": "3", "min_members": "0", "active": "on"}
    for user in (cast.county_organiser, cast.township_secretary, cast.member_user, cast.outsider):
        client.force_login(user)
        assert client.get(url).status_code == 403 and client.post(url, data).status_code == 403
        page = client.get(reverse("records:settings"))
        assert page.status_code in (200, 403) and url not in page.content.decode()
    with pytest.raises(PermissionDenied):
        requirement_set(actor=cast.county_organiser, requirement=congress, period="month", times=3,
                        min_members=0, active=True)  # fmt: skip
    client.force_login(cast.city_organiser)
    assert client.get(reverse("records:requirement_edit", args=[999999])).status_code == 404
    assert client.put(url).status_code == 405 and client.post(reverse("records:settings")).status_code == 405
    client.logout()
    assert client.get(url).status_code == 302
    congress.refresh_from_db()
    assert (congress.period, congress.times) == ("quarter", 1)
