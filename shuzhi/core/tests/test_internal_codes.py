"""Internal codes never reach a person: the audit log and an item's history name actions and
states in Chinese, and every audit action written anywhere in the code has a Chinese name."""

import pathlib
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.audit_actions import LABELS, action_label
from shuzhi.core.models import AuditEvent
from shuzhi.rectification.models import Item
from shuzhi.rectification.services import (
    item_reopen,
    items_generate,
    milestone_add,
    sign_off,
    sign_off_refuse,
    signoff_request,
)
from shuzhi.testing.rectification import published_cycle

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b[A-Za-z_]+\.[A-Za-z_]+\b")  # report.submit, rectification.request
STATES = [value for value, _label in Item.Status.choices]
STEPS = [
    "generate",
    "plan",
    "split",
    "start",
    "milestone",
    "request",
    "sign_off",
    "refuse",
    "reopen",
    "overdue",
]


class _Text(HTMLParser):
    """The text a person reads: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _visible(response) -> str:
    assert response.status_code == 200
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(parser.parts)


def _codes(text: str) -> list[str]:
    words = set(re.findall(r"[A-Za-z_]+", text))
    return CODE.findall(text) + sorted(words & {*STATES, *STEPS})


@pytest.fixture
def worked_item(cast):
    cycle = published_cycle(cast)
    items_generate(actor=cast.county_organiser, cycle=cycle)
    item = Item.objects.filter(organization=cast.township_a).order_by("id").first()
    milestone_add(actor=cast.township_secretary, item=item, on=timezone.localdate(), text="已建立后备干部库")
    signoff_request(actor=cast.township_secretary, item=item)
    sign_off_refuse(actor=cast.county_organiser, item=item, reason="佐证材料不足")
    signoff_request(actor=cast.township_secretary, item=item)
    sign_off(actor=cast.county_organiser, item=item)
    item_reopen(actor=cast.county_organiser, item=item, reason="复查发现反弹")
    return item


def test_an_items_history_names_each_step_and_state_in_chinese(client, cast, worked_item):
    client.force_login(cast.township_secretary)
    text = _visible(client.get(reverse("rectification:item", args=[worked_item.pk])))
    assert "生成整改事项（— → 未开始）" in text
    assert "申请销号（整改中 → 已完成待审核）" in text
    assert "退回整改（已完成待审核 → 退回）" in text
    assert "审核销号（已完成待审核 → 已销号）" in text
    assert _codes(text) == []


def test_the_audit_log_names_each_action_in_chinese(client, cast, worked_item):
    client.force_login(cast.auditor)
    listing = _visible(client.get(reverse("core:audit_list")))
    assert "申请销号" in listing
    assert _codes(listing) == []
    event = AuditEvent.objects.filter(action="rectification.request").first()
    detail = client.get(reverse("core:audit_detail", args=[event.seq])).content.decode()
    head = _visible(client.get(reverse("core:audit_detail", args=[event.seq])))
    assert "申请销号" in head and "整改事项" in head
    assert "rectification.request" not in detail.split("变更内容")[0]


def test_every_audit_action_in_the_code_has_a_chinese_name():
    root = pathlib.Path(__file__).resolve().parents[2]
    written = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        written |= set(re.findall(r"action=\"([a-z_]+\.[a-z_]+)\"", source))
        written |= {f"rectification.{step}" for step in re.findall(r"action=\"([a-z_]+)\"", source)
                    if path.name == "services.py" and path.parent.name == "rectification"}  # fmt: skip
    assert len(written) > 60
    assert sorted(written - set(LABELS)) == []
    assert action_label("nothing.known") == "其他操作"
