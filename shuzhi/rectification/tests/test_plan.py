import io

import docx
import pytest
from django.urls import reverse

from shuzhi.core.roles import Role
from shuzhi.rectification.models import Item
from shuzhi.rectification.services import item_plan, item_split, items_generate, plan_confirm
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.rectification import PROBLEMS, published_cycle

pytestmark = pytest.mark.django_db

MEASURES = (
    "建立村级后备干部库，每村储备 2 名以上",
    "推行“支部+微信群”学习，每月一次主题党日",
    "对 3 个软弱涣散村逐村制定整顿方案",
)


@pytest.fixture
def cycle(cast):
    cycle = published_cycle(cast)
    items_generate(actor=cast.county_organiser, cycle=cycle)
    return cycle


def _planned(cast, cycle) -> list[Item]:
    items = list(Item.objects.filter(organization=cast.township_a, parent__isnull=True).order_by("id"))
    for item, measures in zip(items, MEASURES, strict=True):
        item_plan(actor=cast.township_secretary, item=item, measures=measures, responsible="李秀英",
                  deadline=item.deadline)  # fmt: skip
    item_split(
        actor=cast.township_secretary, parent=items[0], title="摸底排查后备人选", deadline=items[0].deadline
    )
    return items


def _plan_url(cycle, org) -> str:
    return reverse("rectification:plan", args=[cycle.pk, org.pk])


def _open(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    return docx.Document(io.BytesIO(response.content))


def _rows(document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in document.tables[0].rows]


def _text(document) -> str:
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def test_the_plan_docx_lists_the_units_items_with_their_measures_and_steps_as_sub_rows(client, cast, cycle):
    items = _planned(cast, cycle)
    client.force_login(cast.township_secretary)
    mine = client.get(reverse("rectification:mine")).content.decode()
    assert _plan_url(cycle, cast.township_a) in mine  # the button beside 确认整改方案

    document = _open(client.get(_plan_url(cycle, cast.township_a)))
    rows = _rows(document)
    assert rows[0] == ["序号", "问题", "整改措施", "责任人", "整改时限", "状态"]
    deadline = items[0].deadline.isoformat()
    assert rows[1:] == [
        ["1", PROBLEMS[0], MEASURES[0], "李秀英", deadline, "未开始"],
        ["1.1", "摸底排查后备人选", "", "", deadline, "未开始"],
        ["2", PROBLEMS[1], MEASURES[1], "李秀英", deadline, "未开始"],
        ["3", "软弱涣散村整顿进度偏慢", MEASURES[2], "李秀英", deadline, "未开始"],
    ]
    text = _text(document)
    assert "整改方案" in text and cast.township_a.name in text and cycle.title in text
    assert "草稿，尚未确认" in text and "共3项整改事项" in text

    plan_confirm(actor=cast.township_secretary, cycle=cycle)
    document = _open(client.get(_plan_url(cycle, cast.township_a)))
    assert "草稿" not in _text(document)
    assert [row[5] for row in _rows(document)[1:]] == ["整改中", "未开始", "整改中", "整改中"]


def test_a_viewer_of_the_subtree_gets_the_plan_and_no_one_else_does(client, cast, cycle):
    _planned(cast, cycle)
    url = _plan_url(cycle, cast.township_a)
    client.force_login(cast.county_organiser)
    assert MEASURES[1] in _rows(_open(client.get(url)))[3]
    supervisor = UserFactory(role=Role.SUPERVISOR, organization=cast.city)
    client.force_login(supervisor)
    assert client.get(url).status_code == 200

    client.force_login(UserFactory(role=Role.SECRETARY, organization=cast.township_b))
    assert client.get(url).status_code == 404  # another unit's secretary
    own = reverse("rectification:plan", args=[cycle.pk, cast.township_b.pk])
    assert client.get(own).status_code == 404  # their own unit has no items in this cycle
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404  # an organiser of the neighbouring county
    client.force_login(cast.member_user)
    assert client.get(url).status_code == 403
    client.force_login(cast.township_secretary)
    assert client.post(url).status_code == 405
