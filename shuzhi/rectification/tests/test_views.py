import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.roles import Role
from shuzhi.rectification.models import Evidence, Item
from shuzhi.rectification.services import items_generate, items_mark_overdue
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.rectification import published_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(cast):
    cycle = published_cycle(cast)
    items_generate(actor=cast.county_organiser, cycle=cycle)
    return list(Item.objects.filter(organization=cast.township_a).order_by("id"))


def test_the_board_shows_each_unit_with_a_fixed_query_count(client, cast, items, django_assert_num_queries):
    client.force_login(cast.county_organiser)
    url = reverse("rectification:board")
    client.get(url)
    # session, user, the page of units, their names, their count, the overdue total
    with django_assert_num_queries(6):
        page = client.get(url).content.decode()
    assert cast.township_a.name in page and "逾期" not in page.split('data-testid="board"')[0]
    items_mark_overdue(today=items[0].deadline + timezone.timedelta(days=1))
    page = client.get(url).content.decode()
    assert 'data-testid="overdue-total">逾期 3 项' in page


def test_a_secretary_sees_only_their_units_items(client, cast, items):
    other = UserFactory(role=Role.SECRETARY, organization=cast.township_b)
    client.force_login(other)
    assert client.get(reverse("rectification:item", args=[items[0].pk])).status_code == 404
    assert client.get(reverse("rectification:board")).status_code == 403
    assert items[0].title not in client.get(reverse("rectification:mine")).content.decode()
    client.force_login(cast.township_secretary)
    assert items[0].title in client.get(reverse("rectification:mine")).content.decode()
    client.force_login(cast.outsider)
    assert client.get(reverse("rectification:item", args=[items[0].pk])).status_code == 404


def test_the_item_page_takes_a_milestone_with_a_photo_and_refuses_a_bad_file(client, cast, items):
    client.force_login(cast.township_secretary)
    url = reverse("rectification:item", args=[items[0].pk])
    bad = client.post(url, {"action": "milestone", "on": timezone.localdate().isoformat(), "text": "进展",
                            "files": SimpleUploadedFile("照片.jpg", b"MZ" + b"\0" * 100)})  # fmt: skip
    assert "可执行" in bad.content.decode() and not Evidence.objects.exists()
    assert Item.objects.get(pk=items[0].pk).status == "not_started"  # nothing kept
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
    client.post(url, {"action": "milestone", "on": timezone.localdate().isoformat(), "text": "完成摸底",
                      "files": [SimpleUploadedFile("现场.jpg", jpeg)]})  # fmt: skip
    evidence = Evidence.objects.get()
    assert evidence.kind == "jpeg"
    photo = client.get(reverse("rectification:evidence", args=[items[0].pk, evidence.pk]))
    assert photo["Content-Type"] == "image/jpeg" and photo["X-Content-Type-Options"] == "nosniff"


def test_the_unit_cannot_sign_off_through_the_page_and_wrong_methods_are_refused(client, cast, items):
    client.force_login(cast.township_secretary)
    response = client.post(
        reverse("rectification:item", args=[items[0].pk]), {"action": "sign_off"}, follow=True
    )
    assert "不能" in response.content.decode() and Item.objects.get(pk=items[0].pk).status == "not_started"
    assert client.post(reverse("rectification:generate", args=[items[0].cycle_id])).status_code == 403
    client.force_login(cast.county_organiser)
    assert client.get(reverse("rectification:generate", args=[items[0].cycle_id])).status_code == 405
    client.force_login(cast.member_user)
    assert client.get(reverse("rectification:mine")).status_code == 403


def test_overdue_counts_show_on_the_cycle_and_organisation_pages(client, cast, items):
    items_mark_overdue(today=items[0].deadline + timezone.timedelta(days=1))
    client.force_login(cast.county_organiser)
    cycle_page = client.get(reverse("cycles:detail", args=[items[0].cycle_id])).content.decode()
    assert "整改逾期 3 项" in cycle_page
    org_page = client.get(reverse("orgs:detail", args=[cast.county_a.pk])).content.decode()
    assert reverse("rectification:org_overdue", args=[cast.county_a.pk]) in org_page
    badge = client.get(
        reverse("rectification:org_overdue", args=[cast.county_a.pk]), headers={"HX-Request": "true"}
    )
    assert "整改逾期 3 项" in badge.content.decode()
    assert (
        "无逾期整改"
        in client.get(reverse("rectification:org_overdue", args=[cast.village_a2.pk])).content.decode()
    )
    client.force_login(cast.outsider)
    assert client.get(reverse("rectification:org_overdue", args=[cast.county_a.pk])).status_code == 404


def test_the_rollups_closure_figure_opens_the_board_of_that_cycle_alone(client, cast, items):
    """The three-level roll-up's 整改销号率 links to the board filtered by its cycle (?cycle=); the
    board lists that cycle's units only, and a cycle off the viewer's line is not found."""
    from shuzhi.cycles.services import cycle_create
    from shuzhi.rectification.selectors import rollup_closure

    county = items[0].cycle
    cell = rollup_closure(cast.city_organiser, [county])[county.pk]
    assert cell.link == f"{reverse('rectification:board')}?cycle={county.pk}"
    client.force_login(cast.city_organiser)
    response = client.get(cell.link)
    page = response.content.decode()
    assert response.status_code == 200 and county.title in page.split('data-testid="board"')[0]
    assert [row["organization_id"] for row in response.context["page"]] == [cast.township_a.pk]
    assert f"cycle={county.pk}" in response.context["paging"]
    today = timezone.localdate()
    city = cycle_create(actor=cast.city_organiser, year=today.year, title="市级周期", groups=["县区"],
                        report_due=today + timezone.timedelta(days=30), meeting_on=today + timezone.timedelta(days=40))  # fmt: skip
    other = client.get(reverse("rectification:board"), {"cycle": city.pk})
    assert other.status_code == 200 and list(other.context["page"]) == []
    client.force_login(cast.county_organiser)  # the city's cycle is above the county: on its line
    assert client.get(reverse("rectification:board"), {"cycle": city.pk}).status_code == 200
    client.force_login(cast.outsider)  # the neighbouring county's organiser
    assert client.get(cell.link).status_code == 404
    assert client.get(reverse("rectification:board"), {"cycle": "x"}).status_code == 200
