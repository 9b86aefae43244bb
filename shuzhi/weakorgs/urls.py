from django.urls import path

from shuzhi.weakorgs import views

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
]
