from django.urls import include, path

urlpatterns = [
    path("", include("shuzhi.workbench.urls")),  # the home page: each role's workbench
    path("", include("shuzhi.core.urls")),
    path("accounts/", include("shuzhi.accounts.urls")),
    path("orgs/", include("shuzhi.orgs.urls")),
    path("members/", include("shuzhi.members.urls")),
    path("exchange/", include("shuzhi.exchange.urls")),
    path("cycles/", include("shuzhi.cycles.urls")),
    path("reports/", include("shuzhi.reports.urls")),
    path("", include("shuzhi.ballots.urls")),
    path("assessment/", include("shuzhi.scoring.urls")),
    path("rectification/", include("shuzhi.rectification.urls")),
    path("analytics/", include("shuzhi.analytics.urls")),
    path("records/", include("shuzhi.records.urls")),
    path("projects/", include("shuzhi.projects.urls")),
    path("weak/", include("shuzhi.weakorgs.urls")),
    path("standards/", include("shuzhi.standards.urls")),
    path("lifecycle/", include("shuzhi.lifecycle.urls")),
    path("files/", include("shuzhi.dossiers.urls")),
    path("stats/", include("shuzhi.stats.urls")),
]

handler403 = "shuzhi.core.views.forbidden"
handler404 = "shuzhi.core.views.not_found"
