from django.urls import path

from shuzhi.weakorgs import guarantee_views, views

app_name = "weakorgs"

urlpatterns = [
    path("", views.index, name="index"),
    path("compute/", views.compute, name="compute"),
    path("list/", views.watchlist, name="watchlist"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("ratios/<int:pk>/", views.ratio_edit, name="ratio_edit"),
    path("orgs/<int:pk>/", views.org, name="org"),
    path("orgs/<int:org_pk>/add/", views.entry_add, name="entry_add"),
    path("entries/<int:pk>/", views.entry, name="entry"),
    path("entries/<int:pk>/remove/", views.entry_remove, name="entry_remove"),
    path("entries/<int:pk>/plan/", views.plan, name="plan"),
    path("entries/<int:pk>/progress/", views.progress, name="progress"),
    path("entries/<int:pk>/request/", views.request_acceptance, name="request"),
    path("entries/<int:pk>/decide/", views.decide, name="decide"),
    path("entries/<int:pk>/close/", views.close, name="close"),
    path("entries/<int:pk>/files/<int:file_pk>/", views.evidence, name="evidence"),
    path("liaison/", views.liaison, name="liaison"),
    path("liaison/mine/", views.my_points, name="my_points"),
    path("liaison/assign/<int:org_pk>/", views.liaison_assign, name="liaison_assign"),
    path("liaison/<int:pk>/", views.point, name="point"),
    path("liaison/<int:pk>/visit/", views.visit, name="visit"),
    path("liaison/<int:pk>/end/", views.point_end, name="point_end"),
    path("guarantees/", guarantee_views.compliance, name="guarantees"),
    path("guarantees/export.xlsx", guarantee_views.compliance_xlsx, name="guarantees_xlsx"),
    path("guarantees/floors/", guarantee_views.floors, name="floors"),
    path("guarantees/floors/edit/", guarantee_views.floor_edit, name="floor_edit"),
    path("guarantees/figures/<int:org_pk>/", guarantee_views.figure_edit, name="figure"),
    path("guarantees/import/", guarantee_views.figures_import, name="figures_import"),
    path("guarantees/talks/suggest/", guarantee_views.talks_suggest, name="talks_suggest"),
    path("guarantees/talks/<int:pk>/confirm/", guarantee_views.talk_confirm, name="talk_confirm"),
    path("guarantees/talks/<int:pk>/dismiss/", guarantee_views.talk_dismiss, name="talk_dismiss"),
]
