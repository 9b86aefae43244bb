"""The organiser's workbench in a browser: at 1366 px the cards sit side by side and a figure
leads to its list; at 390 px they stack and nothing scrolls sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shuzhi.cycles.models import Cycle
from shuzhi.testing.browser import has_horizontal_scroll, login, phone_page, watch
from shuzhi.testing.cycles import county_cycle

pytestmark = pytest.mark.browser


def test_the_organisers_workbench_on_a_desk_and_on_a_phone(live_server, browser, page, cast):
    cycle = county_cycle(cast)
    Cycle.objects.filter(pk=cycle.pk).update(report_due=timezone.localdate() - timedelta(days=1))
    seen = watch(page, live_server)
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, cast.county_organiser)
    page.goto(live_server.url + "/")

    expect(page.get_by_test_id("card-cycle")).to_be_visible()
    expect(page.get_by_test_id("card-follow-up")).to_be_visible()
    assert not has_horizontal_scroll(page)
    page.get_by_test_id("late").click()
    expect(page.get_by_text("中共东湖区柳泉镇委员会").first).to_be_visible()
    assert "late=on" in page.url
    assert not seen.problems and not seen.foreign_requests

    with phone_page(browser) as phone:
        login(phone, live_server, cast.county_organiser)
        phone.goto(live_server.url + "/")
        expect(phone.get_by_test_id("card-follow-up")).to_be_visible()
        assert not has_horizontal_scroll(phone)
