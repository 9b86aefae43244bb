"""三级联述联评联考 on one view: the roll-up of the subtree's cycles shows, for each level, the
meeting, the grades, rectification closure, weak organisations and their 销号 rate, and project
ratings, each figure linking to its list; a neighbouring county sees none of it."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from shuzhi.rectification.models import Item
from shuzhi.rectification.services import items_generate
from shuzhi.testing.rectification import published_cycle
from shuzhi.weakorgs.models import Entry

pytestmark = pytest.mark.django_db


def cell(html: str, testid: str) -> tuple[str, str]:
    found = re.search(rf'data-testid="{testid}"><a href="([^"]*)"[^>]*>([^<]*)</a>', html)
    assert found, f"no cell {testid}"
    return found.group(1).replace("&amp;", "&"), found.group(2)


@pytest.fixture
def county(cast):
    cycle = published_cycle(cast)
    items_generate(actor=cast.county_organiser, cycle=cycle)
    first = Item.objects.filter(cycle=cycle, parent__isnull=True).order_by("id").first()
    Item.objects.filter(pk=first.pk).update(status=Item.Status.CLOSED)
    for village, status in ((cast.village_a, Entry.Status.CLOSED), (cast.village_a2, Entry.Status.LISTED)):
        Entry.objects.create(
            organization=village, org_path=village.path, year=cycle.year, reason="班子软弱", status=status,
            added_by=cast.county_organiser,
        )  # fmt: skip
    return cycle


def test_the_city_sees_the_countys_figures_each_linking_to_its_list(client, cast, county):
    client.force_login(cast.city_organiser)

    html = client.get(reverse("cycles:index"), {"year": county.year}).content.decode()

    link, text = cell(html, f"{county.pk}-meeting")
    assert text == "已计票" and link == reverse("ballots:meeting", args=[county.meeting.pk])
    link, text = cell(html, f"{county.pk}-grades")
    assert re.fullmatch(r"好\d+ 较好\d+ 一般\d+ 差\d+", text)
    assert sum(int(n) for n in re.findall(r"\d+", text)) == county.reporters.count()
    assert client.get(link).status_code == 200
    total = Item.objects.filter(cycle=county, parent__isnull=True).count()
    link, text = cell(html, f"{county.pk}-rectification")
    assert text == f"{round(100 / total)}%（1/{total}）"
    assert client.get(link).status_code == 200
    link, text = cell(html, f"{county.pk}-weak")
    assert text == "2，销号 50%"
    listed = client.get(link).content.decode()
    assert "王庄村党支部" in listed and "李集村党支部" in listed


def test_a_neighbouring_county_sees_neither_the_cycle_nor_its_figures(client, cast, county):
    client.force_login(cast.outsider)
    html = client.get(reverse("cycles:index"), {"year": county.year}).content.decode()
    assert county.title not in html and f'data-testid="{county.pk}-' not in html


def test_the_roll_up_costs_the_same_queries_whatever_the_columns_find(
    client, cast, county, django_assert_max_num_queries
):
    client.force_login(cast.city_organiser)
    client.get(reverse("cycles:index"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("cycles:index"), {"year": timezone.localdate().year}).status_code == 200
