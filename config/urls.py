from django.urls import include, path

urlpatterns = [
    path("", include("shuzhi.core.urls")),
    path("accounts/", include("shuzhi.accounts.urls")),
    path("orgs/", include("shuzhi.orgs.urls")),
    path("members/", include("shuzhi.members.urls")),
    path("exchange/", include("shuzhi.exchange.urls")),
]

handler403 = "shuzhi.core.views.forbidden"
handler404 = "shuzhi.core.views.not_found"
