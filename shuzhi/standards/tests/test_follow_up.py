from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.members.models import Member
from shuzhi.standards import rules, selectors, services
from shuzhi.standards.models import FollowUpPeriod, FollowUpReview
from shuzhi.testing.records import branch_secretary

pytestmark = pytest.mark.django_db
YEAR = date.today().year


@pytest.fixture
def newcomers(cast):
    """王建国 converted two years ago (under follow-up), 李秀英 long ago (not)."""
    FollowUpPeriod.objects.update_or_create(pk=FollowUpPeriod.objects.first().pk, defaults={"years": 3})
    Member.objects.filter(pk=cast.member_a.pk).update(full_member_on=date(YEAR - 2, 7, 1))
    cast.member_a.refresh_from_db()
    return cast.member_a


def test_the_period_ends_its_years_after_conversion():
    assert rules.follow_up_end(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert rules.converted_window(2026, 3) == (date(2023, 1, 2), date(2026, 12, 31))


def test_the_list_shows_who_is_under_follow_up_and_the_reviews_due(cast, newcomers):
    rows, stats = selectors.under_follow_up(org=cast.township_a, year=YEAR)
    assert [r.member.name for r in rows] == ["王建国"]
    assert (stats.under, stats.reviewed, stats.due) == (1, 0, 1)
    services.follow_up_review(actor=branch_secretary(cast.village_a), member=newcomers, year=YEAR, grade="good",
                              assessment="带头参加村里志愿服务", reviewer="李秀英")  # fmt: skip
    rows, stats = selectors.under_follow_up(org=cast.township_a, year=YEAR, due_only=True)
    assert rows == [] and (stats.reviewed, stats.due, stats.grades) == (1, 0, {"好": 1})
    assert AuditEvent.objects.filter(action="standards.follow_up_review").count() == 1


def test_a_member_outside_the_period_is_refused(cast, newcomers):
    with pytest.raises(ValidationError, match="不在新党员跟踪考察期内"):
        services.follow_up_review(actor=branch_secretary(cast.village_a), member=cast.secretary_a, year=YEAR,
                                  grade="good", assessment="x", reviewer="y")  # fmt: skip
    assert not FollowUpReview.objects.exists()


def test_only_the_member_s_own_branch_reviews(cast, newcomers):
    for actor in (cast.township_secretary, branch_secretary(cast.village_a2, username="other")):
        with pytest.raises(PermissionDenied):
            services.follow_up_review(actor=actor, member=newcomers, year=YEAR, grade="good", assessment="x",
                                      reviewer="y")  # fmt: skip


def test_the_period_length_is_data(cast, newcomers):
    FollowUpPeriod.objects.update(years=1)
    assert selectors.under_follow_up(org=cast.township_a, year=YEAR)[1].under == 0


def test_the_pages_follow_roles_and_scope(client, cast, newcomers):
    url = reverse("standards:follow_up", args=[cast.township_a.pk]) + f"?year={YEAR}"
    client.force_login(cast.county_organiser)
    page = client.get(url)
    assert page.status_code == 200 and "待考察 <strong>1</strong> 名" in page.content.decode()
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.member_user)
    assert client.get(url).status_code == 403
    keeper = branch_secretary(cast.village_a)
    client.force_login(keeper)
    member_url = reverse("standards:follow_up_member", args=[newcomers.pk]) + f"?year={YEAR}"
    response = client.post(member_url, {"grade": "fair", "assessment": "", "reviewer": "李秀英"})
    assert response.status_code == 200 and "李秀英" in response.content.decode()  # kept after the error
    assert not FollowUpReview.objects.exists()
    assert (
        client.post(
            member_url, {"grade": "fair", "assessment": "按时交纳党费", "reviewer": "李秀英"}
        ).status_code
        == 302
    )
    assert FollowUpReview.objects.get().grade == "fair"
    assert client.delete(member_url).status_code == 405
    client.force_login(cast.township_secretary)  # not the member's branch
    assert client.get(member_url).status_code == 404


def test_the_list_links_only_the_members_the_viewer_may_review(client, cast, newcomers):
    """A 党委 secretary sees the members of the branches below it, and reviews only its own: a link
    to a branch's member would end on 'not found'."""
    member_url = reverse("standards:follow_up_member", args=[newcomers.pk])
    keeper = branch_secretary(cast.township_a, username="township_keeper")
    client.force_login(keeper)
    page = client.get(
        reverse("standards:follow_up", args=[cast.township_a.pk]) + f"?year={YEAR}"
    ).content.decode()
    assert "王建国" in page and member_url not in page
    client.force_login(branch_secretary(cast.village_a))
    page = client.get(
        reverse("standards:follow_up", args=[cast.village_a.pk]) + f"?year={YEAR}"
    ).content.decode()
    assert member_url in page
    assert client.get(member_url + f"?year={YEAR}").status_code == 200
