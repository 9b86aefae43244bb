import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from shuzhi.core.access import capability_required, get_scoped_or_404
from shuzhi.core.anchors import public_key_text
from shuzhi.core.forms import AuditFilterForm, AuditVerifyForm
from shuzhi.core.models import Notification
from shuzhi.core.roles import Capability
from shuzhi.core.selectors import AuditFilter, audit_chain_verify, audit_event_list, audit_events_visible_to
from shuzhi.core.services import audit_digest_issue, notifications_mark_read


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """The user's notifications; the button marks them all read (opening the page changes nothing)."""
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("core:notifications")
    page = Paginator(Notification.objects.filter(recipient=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "core/notifications.html", {"page": page})


def forbidden(request, exception=None):
    return render(request, "core/403.html", status=403)


def not_found(request, exception=None):
    return render(request, "core/404.html", status=404)


@capability_required(Capability.READ_AUDIT)
@require_http_methods(["GET"])
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    filters = AuditFilter(**form.cleaned_data) if form.is_valid() else AuditFilter()
    events = audit_event_list(viewer=request.user, filters=filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_list.html", {"form": form, "page": page, "query": query.urlencode()})


@capability_required(Capability.READ_AUDIT)
@require_http_methods(["GET"])
def audit_detail(request, seq: int):
    event = get_scoped_or_404(audit_events_visible_to(request.user), seq=seq)
    return render(request, "core/audit_detail.html", {"event": event})


@capability_required(Capability.READ_AUDIT)
@require_http_methods(["GET", "POST"])
def audit_verify(request):
    form = AuditVerifyForm(request.POST, request.FILES) if request.method == "POST" else AuditVerifyForm()
    report = None
    if request.method == "POST" and form.is_valid():
        report = audit_chain_verify(digests=form.cleaned_data["digests"])
    status = 400 if form.errors else 200
    context = {"form": form, "report": report, "public_key": public_key_text()}
    return render(request, "core/audit_verify.html", context, status=status)


@capability_required(Capability.READ_AUDIT)
@require_http_methods(["POST"])
def audit_digest(request):
    """The signed chain head, for the auditor to keep outside the system (`verify_audit --digest`)."""
    digest = audit_digest_issue(actor=request.user)
    response = HttpResponse(
        json.dumps(digest, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    name = f"审计摘要-{timezone.localtime():%Y%m%d-%H%M%S}-{digest['seq']}.json"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
