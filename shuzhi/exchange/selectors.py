from django.db.models import Q, QuerySet

from shuzhi.core.access import get_scoped_or_404, in_subtree
from shuzhi.core.roles import Capability
from shuzhi.exchange.models import ExchangeJob

RECENT_JOBS = 20


def jobs_visible_to(user) -> QuerySet[ExchangeJob]:
    """Jobs made in the user's subtree, of the kinds the user may run themself."""
    kinds = Q(pk__in=[])
    if user.can(Capability.MANAGE_ORGS):
        kinds |= Q(direction=ExchangeJob.Direction.IMPORT, kind=ExchangeJob.Kind.ORGANIZATIONS)
    if user.can(Capability.MANAGE_MEMBERS):
        kinds |= Q(direction=ExchangeJob.Direction.IMPORT, kind=ExchangeJob.Kind.MEMBERS)
    if user.can(Capability.EXPORT_DATA):
        # an export holds what its maker was allowed to see: it is theirs alone
        kinds |= Q(direction=ExchangeJob.Direction.EXPORT, created_by=user)
    return ExchangeJob.objects.filter(kinds, in_subtree("organization__path", user.organization.path))


def job_get(*, viewer, pk: int) -> ExchangeJob:
    return get_scoped_or_404(jobs_visible_to(viewer).select_related("created_by", "organization"), pk=pk)


def recent_jobs(*, viewer) -> list[ExchangeJob]:
    return list(
        jobs_visible_to(viewer).select_related("created_by").order_by("-created_at", "-id")[:RECENT_JOBS]
    )
