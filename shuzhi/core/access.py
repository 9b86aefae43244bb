"""The one way views reach data: a capability check (403) and a scoped lookup (404).

Every selector that returns rows a user asked for starts from a queryset already limited to
that user's organisation subtree, and objects are fetched through it, so an object outside the
subtree is indistinguishable from one that does not exist.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from shuzhi.core.paths import subtree_bounds
from shuzhi.core.roles import Capability

M = TypeVar("M", bound=Model)


def require(user: Any, capability: Capability) -> None:
    if not user.is_authenticated or not user.can(capability):
        raise PermissionDenied


def get_scoped_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def capability_required(capability: Capability) -> Callable:
    """Log in first (redirect), then 403 unless the user's role grants the capability."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, capability)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def any_capability_required(*capabilities: Capability) -> Callable:
    """Log in first (redirect), then 403 unless the user's role grants one of the capabilities."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.can(capability) for capability in capabilities):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def holds_at_top(user: Any, capability: Capability) -> bool:
    """The user holds `capability` in the tree's top organisation: rules that hold for the whole
    tree (organisational-life frequencies and dues bands, the standards, the weak-organisation
    rules) are set only there."""
    return bool(
        user.is_authenticated
        and user.can(capability)
        and user.organization_id
        and user.organization.depth == 1
    )


def in_subtree(field: str, path: str) -> Q:
    """Rows whose materialized-path `field` lies in the subtree of `path` (an index range)."""
    low, high = subtree_bounds(path)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})
