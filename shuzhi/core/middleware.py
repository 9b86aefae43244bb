import ipaddress
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

# The address of the request being served, for the audit log. Services take the actor
# explicitly; the address is ambient because passing the request into services would tie them
# to the web.
request_ip: ContextVar[str] = ContextVar("request_ip", default="")

NUL = "\x00"
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_REAL_IP", "HTTP_FORWARDED")  # fmt: skip


def _networks(entries: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _within(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


class TrustedProxyMiddleware:
    """`X-Forwarded-*` is believed only from the proxies named in SHUZHI_TRUSTED_PROXIES.

    From one of them, the client's address (for the audit log, the lockout and the per-address
    limit) is the nearest address in X-Forwarded-For that is not itself a trusted proxy, and
    X-Forwarded-Proto tells whether the client used https. From anyone else every forwarding
    header is dropped, so no client can choose the address that is logged or claim https.
    First in the chain.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.proxies = _networks(settings.TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if self.proxies and _within(meta.get("REMOTE_ADDR", ""), self.proxies):
            hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
            for hop in reversed(hops):
                if not _within(hop, self.proxies):
                    if _is_address(hop):
                        meta["REMOTE_ADDR"] = hop
                    break
        else:
            for name in FORWARDED_HEADERS:
                meta.pop(name, None)
        return self.get_response(request)


def max_body(nbytes: int) -> Callable:
    """Mark a view with the largest request body it accepts (BodyLimitMiddleware enforces it
    before anything reads the body). Put it outermost."""

    def mark(view: Callable) -> Callable:
        view.max_body_bytes = nbytes  # type: ignore[attr-defined]
        return view

    return mark


class BodyLimitMiddleware:
    """A request body larger than its view accepts is refused (413) before it is read: a view's
    own `max_body`, else SHUZHI_MAX_UPLOAD_MB for file uploads, else DATA_UPLOAD_MAX_MEMORY_SIZE
    for forms. Before NulCharacterMiddleware, which reads the form."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            length = -1
        if length < 0:
            return HttpResponseBadRequest(
                _("请求长度无效。").encode(), content_type="text/plain; charset=utf-8"
            )
        if length and length > self._limit(request):
            return HttpResponse(
                _("提交的内容过大，已拒绝。").encode(), status=413, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)

    @staticmethod
    def _limit(request: HttpRequest) -> int:
        try:
            view = resolve(request.path_info).func
        except Resolver404:
            view = None
        limit = getattr(view, "max_body_bytes", None)
        if limit is not None:
            return limit
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            return settings.MAX_UPLOAD_BYTES
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_ip.set(request.META.get("REMOTE_ADDR", "")[:45])
        try:
            return self.get_response(request)
        finally:
            request_ip.reset(token)


class NulCharacterMiddleware:
    """No NUL character reaches a view, a form or the database.

    PostgreSQL refuses NUL in text (`A string literal cannot contain NUL (0x00) characters`), so a
    `%00` typed into any field, query string or cookie would end as a server error wherever the
    value is stored or looked up. Nobody types one on purpose: it is removed from every submitted
    value, key and uploaded file's name, a cookie carrying one is dropped, and an address holding
    one is refused. First in the chain, before sessions and login read their cookies and forms.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path_info:
            return HttpResponseBadRequest(
                _("网址中含有不可见的空字符，无法打开。").encode(), content_type="text/plain; charset=utf-8"
            )
        for name in [name for name, value in request.COOKIES.items() if NUL in name or NUL in value]:
            del request.COOKIES[name]
        if _has_nul(request.GET):
            request.GET = _without_nul(request.GET)
        if request.method == "POST":
            if _has_nul(request.POST):
                request.POST = _without_nul(request.POST)
            for upload in request.FILES.values():
                if upload.name and NUL in upload.name:
                    upload.name = upload.name.replace(NUL, "")
        return self.get_response(request)


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


def _without_nul(data: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(key.replace(NUL, ""), [value.replace(NUL, "") for value in values])
    cleaned._mutable = False
    return cleaned
