"""Helpers for the Playwright browser tests: log in, phone-sized pages, watch what a page does."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, expect

from shuzhi.testing.factories import PASSWORD

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}


@contextmanager
def phone_page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh phone-sized context (390 px wide, touch)."""
    context = browser.new_context(**PHONE)
    try:
        yield context.new_page()
    finally:
        context.close()


def login(page: Page, live_server, user, password: str = PASSWORD) -> None:
    """Log in through the login form and wait for the home page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=f"您好，{user.full_name}")).to_be_visible()


def open_phone_menu(page: Page) -> None:
    """Tap the collapsed menu open and wait until Bootstrap's slide has ended.

    While the menu slides open its lower entries are still clipped; a tap then can fall through
    to the page beneath. Bootstrap marks the menu `show` only when the slide is over.
    """
    page.get_by_role("button", name="菜单").tap()
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))


def open_area(page: Page, name: str, *, tap: bool = False) -> None:
    """Open one of the year's areas (组织生活, 星级评定, 发展党员, 领办项目, 软弱涣散) from the
    menu's 基层党建 entry; on a phone, open the collapsed menu first (open_phone_menu)."""
    nav = page.locator("#mainnav")
    toggle, link = nav.get_by_test_id("facts-menu"), nav.get_by_role("link", name=name, exact=True)
    if tap:
        toggle.tap()
        link.tap()
    else:
        toggle.click()
        link.click()


def has_horizontal_scroll(page: Page) -> bool:
    """Whether the page is wider than the screen. Measured against the layout viewport
    (clientWidth): a phone browser zooms out to show a page that is too wide, and its innerWidth
    then grows with the page, so comparing with innerWidth never saw the overflow."""
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def squeezed_cells(page: Page) -> list[str]:
    """Table cells squeezed to a character or two a line (narrower than 30 px with more than one
    character in them) that do not scroll in a box of their own: the texts of the first few."""
    return page.evaluate("""() => {
      const scrolls = (el) => {
        for (; el; el = el.parentElement) {
          const x = getComputedStyle(el).overflowX;
          if ((x === "auto" || x === "scroll") && el.scrollWidth > el.clientWidth) return true;
        }
        return false;
      };
      return [...document.querySelectorAll("main td, main th")].filter((cell) => {
        const width = cell.getBoundingClientRect().width;
        return width > 0 && width < 30 && cell.innerText.trim().length > 1 && !scrolls(cell);
      }).slice(0, 5).map((cell) => cell.innerText.trim().slice(0, 12));
    }""")


@dataclass
class PageWatch:
    """Console errors, uncaught exceptions, failed and foreign requests seen by one page."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    responses: list = field(default_factory=list)

    @property
    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if origin_of(url) != self.origin]

    @property
    def problems(self) -> list[str]:
        return self.console_errors + self.page_errors + self.failed


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _note_failure(seen: PageWatch, request) -> None:
    """A request that got no answer is a problem, except what the browser dropped itself because
    the person moved on (a lazily loaded panel, or a page's chart script, still on its way when a
    link is clicked): Chromium reports that as net::ERR_ABORTED. A server that fails answers with a
    status (recorded by on_response) or breaks the connection (ERR_EMPTY_RESPONSE,
    ERR_CONNECTION_RESET…); a page itself that does not arrive is still a problem."""
    if request.failure == "net::ERR_ABORTED" and request.resource_type != "document":
        return
    seen.failed.append(f"{request.failure} {request.url}")


def watch(page: Page, live_server) -> PageWatch:
    """Start recording what `page` does; call before the first navigation."""
    seen = PageWatch(origin=origin_of(live_server.url))

    def on_console(message) -> None:
        if message.type == "error":
            seen.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_response(response) -> None:
        seen.responses.append(response)
        if response.status >= 400:
            seen.failed.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("requestfailed", lambda request: _note_failure(seen, request))
    page.on("response", on_response)
    return seen


# Every visible text box, list and file field of a form, measured against its column: the
# nearest grid column, table cell, flex item or the form itself (its content box).
_NARROW_FIELDS = """(ratio) => {
  const fields = document.querySelectorAll(
    'main form input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=button]),'
    + ' main form select, main form textarea');
  const isColumn = (el) => el.tagName === 'FORM' || el.tagName === 'TD'
    || /(^|\\s)col(-[a-z0-9]+)*(\\s|$)/.test(el.className)
    || ['flex', 'inline-flex'].includes(getComputedStyle(el.parentElement).display);
  const narrow = [];
  for (const field of fields) {
    if (!field.offsetParent) continue;  // not shown (a collapsed section, a hidden tab)
    // a search box beside its button: the flex row decides its width
    if (['flex', 'inline-flex'].includes(getComputedStyle(field.parentElement).display)) continue;
    let column = field.parentElement;
    while (column && !isColumn(column)) column = column.parentElement;
    const style = getComputedStyle(column);
    const room = column.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const width = field.getBoundingClientRect().width;
    if (width < ratio * room) narrow.push(`${field.name || field.id}: ${Math.round(width)} of ${Math.round(room)} px`);
  }
  return narrow;
}"""


def narrow_fields(page: Page, ratio: float = 0.9) -> list[str]:
    """The form fields of the page narrower than `ratio` of their column ("name: w of room px")."""
    return page.evaluate(_NARROW_FIELDS, ratio)
