"""A unit's own list shows each item followed by its steps, on SQLite and on PostgreSQL alike
(PostgreSQL sorts a NULL parent last, SQLite first: the order is written out, not left to either)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from shuzhi.rectification.models import Item
from shuzhi.rectification.services import item_split, items_generate
from shuzhi.testing.rectification import published_cycle

pytestmark = pytest.mark.django_db


def test_each_item_is_followed_by_its_own_steps(client, cast):
    cycle = published_cycle(cast)
    items_generate(actor=cast.county_organiser, cycle=cycle)
    first, second, *_rest = Item.objects.filter(organization=cast.township_a, parent=None).order_by(
        "deadline", "id"
    )
    # steps due before their parents, created out of order
    item_split(
        actor=cast.township_secretary,
        parent=second,
        title="第二项步骤甲",
        deadline=second.deadline - timedelta(days=30),
    )
    item_split(
        actor=cast.township_secretary,
        parent=first,
        title="第一项步骤甲",
        deadline=first.deadline - timedelta(days=20),
    )
    item_split(
        actor=cast.township_secretary,
        parent=first,
        title="第一项步骤乙",
        deadline=first.deadline - timedelta(days=40),
    )
    client.force_login(cast.township_secretary)
    page = client.get(reverse("rectification:mine")).content.decode()
    shown = re.findall(r'<a href="/rectification/items/\d+/">([^<]+)</a>', page)
    top = list(Item.objects.filter(organization=cast.township_a, parent=None).order_by("deadline", "id"))
    expected = []
    for item in top:
        expected.append(item.title)
        expected += [c.title for c in sorted(item.children.all(), key=lambda c: (c.deadline, c.id))]
    assert shown == expected
    assert (
        shown.index(first.title)
        < shown.index("第一项步骤乙")
        < shown.index("第一项步骤甲")
        < shown.index(second.title)
    )
    assert shown.index(second.title) < shown.index("第二项步骤甲")


# Every area now orders on its own columns.
LEFT: tuple[str, ...] = ()


def test_every_default_ordering_stays_on_its_own_table():
    """Meta.ordering naming a foreign key orders by the related model's ordering: a join on every
    query of the model. Order by the key's column (`item_id`) instead."""
    from django.apps import apps

    crossing = []
    for model in apps.get_models():
        if not model.__module__.startswith("shuzhi.") or model.__module__.startswith(LEFT):
            continue
        for entry in model._meta.ordering:
            name = str(entry).lstrip("-")
            if "__" in name:
                crossing.append(f"{model._meta.label}: {entry}")
                continue
            fields = {f.name: f for f in model._meta.get_fields()}
            if name in fields and fields[name].is_relation:
                crossing.append(f"{model._meta.label}: {entry}")
    assert crossing == []
