"""Tables on a phone (390 px): no header or cell squeezed to a character a line, and nothing runs
off the screen; a table too wide for the phone scrolls in its own box. The pages here were found
squeezed by crawling the demo city as each role."""

from datetime import date

import pytest

from shuzhi.standards.models import Standard
from shuzhi.testing.browser import has_horizontal_scroll, login, squeezed_cells

pytestmark = pytest.mark.browser


def test_the_rule_and_list_tables_keep_their_words_on_a_phone(live_server, browser, cast):
    rural = Standard.objects.get(field="rural")
    paths = ["/records/settings/", f"/standards/standards/{rural.pk}/", f"/weak/list/?year={date.today().year}",
             f"/standards/orgs/{cast.county_a.pk}/"]  # fmt: skip
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server, cast.city_organiser)
    wrong = []
    for path in paths:
        assert page.goto(f"{live_server.url}{path}").status == 200, path
        assert page.locator("main table").count(), f"{path}: no table"
        if squeezed := squeezed_cells(page):
            wrong.append(f"{path}: squeezed {squeezed}")
        if has_horizontal_scroll(page):
            wrong.append(f"{path}: scrolls sideways")
    context.close()
    assert wrong == []
