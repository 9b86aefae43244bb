from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzhi.core.access import capability_required
from shuzhi.core.roles import Capability
from shuzhi.exchange import selectors, services
from shuzhi.exchange.forms import UploadForm
from shuzhi.exchange.models import ExchangeJob
from shuzhi.exchange.sheets import SHEETS, template, vocabulary
from shuzhi.members.forms import MemberFilterForm
from shuzhi.members.selectors import filter_organization, id_number_parameters, organizations_in_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may_exchange(user) -> bool:
    return any(
        user.can(c) for c in (Capability.MANAGE_ORGS, Capability.MANAGE_MEMBERS, Capability.EXPORT_DATA)
    )


def _require_exchange(user) -> None:
    if not _may_exchange(user):
        raise PermissionDenied


def _page(request, **forms) -> dict:
    """The import page's context: the two upload forms (fresh unless given) and what it shows."""
    user = request.user
    return {
        "orgs_form": forms.get("orgs") or UploadForm(auto_id="id_orgs_%s"),
        "members_form": forms.get("members") or UploadForm(auto_id="id_members_%s"),
        "jobs": selectors.recent_jobs(viewer=user),
        "may_import_orgs": user.can(Capability.MANAGE_ORGS),
        "may_import_members": user.can(Capability.MANAGE_MEMBERS),
        "vocabularies": [
            (SHEETS[kind][0], vocabulary(kind))
            for kind, capability in (("members", Capability.MANAGE_MEMBERS), ("orgs", Capability.MANAGE_ORGS))
            if user.can(capability)
        ],
    }


@capability_required(Capability.VIEW_ORGS)
@require_GET
def index(request):
    _require_exchange(request.user)
    return render(request, "exchange/index.html", _page(request))


@capability_required(Capability.VIEW_ORGS)
@require_POST
def upload(request, kind: str):
    if kind not in ExchangeJob.Kind.values:
        raise Http404
    if not request.user.can(services.IMPORT_CAPABILITY[kind]):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES, auto_id=f"id_{kind}_%s")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(
                actor=request.user, kind=kind, upload=upload, name=upload.name, size=upload.size
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("exchange:job", pk=job.pk)
    return render(request, "exchange/index.html", _page(request, **{kind: form}), status=400)


@capability_required(Capability.VIEW_ORGS)
@require_GET
def job(request, pk: int):
    _require_exchange(request.user)
    return render(request, "exchange/job.html", {"job": selectors.job_get(viewer=request.user, pk=pk)})


@never_cache
@capability_required(Capability.VIEW_ORGS)
@require_GET
def progress(request, pk: int):
    """The job's state, polled by the job page every second until it is finished."""
    _require_exchange(request.user)
    return render(request, "exchange/_progress.html", {"job": selectors.job_get(viewer=request.user, pk=pk)})


@never_cache
@capability_required(Capability.VIEW_ORGS)
@require_GET
def report(request, pk: int):
    _require_exchange(request.user)
    job = selectors.job_get(viewer=request.user, pk=pk)
    if not job.report:
        raise Http404
    name = f"错误报告-{job.original_name.removesuffix('.xlsx')}.xlsx"
    return FileResponse(job.report.open("rb"), as_attachment=True, filename=name, content_type=XLSX)


@never_cache
@capability_required(Capability.EXPORT_DATA)
@require_GET
def download(request, pk: int):
    job = selectors.job_get(viewer=request.user, pk=pk)
    if (
        job.is_import
        or job.status != ExchangeJob.Status.SUCCEEDED
        or not job.file
        or job.created_by_id != request.user.pk
    ):
        raise Http404
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.original_name, content_type=XLSX
    )


@capability_required(Capability.VIEW_ORGS)
@require_GET
def blank_template(request, kind: str):
    if kind not in SHEETS:
        raise Http404
    _require_exchange(request.user)
    response = HttpResponse(template(kind), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{SHEETS[kind][0]}-模板.xlsx")
    return response


@capability_required(Capability.EXPORT_DATA)
@require_POST
def export_orgs(request):
    chosen = request.POST.get("org", "")
    if chosen and not chosen.isdigit():
        raise Http404
    org = organizations_in_scope(request.user).filter(pk=chosen or request.user.organization_id).first()
    if org is None:
        raise Http404
    job = services.export_job_create(
        actor=request.user, kind=ExchangeJob.Kind.ORGANIZATIONS, parameters={"org": org.pk}
    )
    return redirect("exchange:job", pk=job.pk)


@capability_required(Capability.EXPORT_DATA)
@require_http_methods(["POST"])
def export_members(request):
    """Export what the member list shows: the same filters, posted from the list page."""
    form = MemberFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("筛选条件有误，请在党员列表中改正后再导出。"))
        return redirect("members:list")
    organization, _candidates, unmatched = filter_organization(viewer=request.user, data=form.cleaned_data)
    if unmatched:
        messages.error(request, _("请先在党员列表中选定一个党组织，再导出。"))
        return redirect("members:list")
    parameters = {
        k: v
        for k, v in form.cleaned_data.items()
        if k not in ("org", "org_q", "id_number") and v not in (None, "")
    }
    if form.cleaned_data.get("id_number"):
        # the job row keeps the keyed hash and the mask, never the number
        parameters.update(id_number_parameters(form.cleaned_data["id_number"]))
    if organization is not None:
        parameters["org"] = organization.pk
    job = services.export_job_create(actor=request.user, kind=ExchangeJob.Kind.MEMBERS, parameters=parameters)
    return redirect("exchange:job", pk=job.pk)
