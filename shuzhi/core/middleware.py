from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.utils.translation import gettext as _

# The address of the request being served, for the audit log. Services take the actor
# explicitly; the address is ambient because passing the request into services would tie them
# to the web.
request_ip: ContextVar[str] = ContextVar("request_ip", default="")

NUL = "\x00"


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
