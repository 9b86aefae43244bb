from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from shuzhi.workbench import selectors


@require_GET
def home(request):
    """The home page: what the signed-in person must do next, by role."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return render(request, "workbench/home.html", {"cards": selectors.cards_for(request.user)})
