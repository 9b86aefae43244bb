from django.urls import path

from shuzhi.records import views

app_name = "records"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("settings/", views.rule_settings, name="settings"),
    path("settings/requirements/<int:pk>/", views.requirement_edit, name="requirement_edit"),
    path("settings/dues-bands/<int:pk>/", views.dues_band_edit, name="dues_band_edit"),
    path("mine/commitments/", views.mine_commitment, name="mine_commitment"),
    path("mine/self-assessment/", views.mine_self_assessment, name="mine_self_assessment"),
    path("orgs/<int:pk>/", views.org, name="org"),
    path("orgs/<int:pk>/panel/", views.org_panel, name="org_panel"),
    path("orgs/<int:pk>/branches/", views.branches, name="branches"),
    path("orgs/<int:pk>/new/", views.meeting_new, name="meeting_new"),
    path("orgs/<int:pk>/import/", views.meetings_import, name="import"),
    path("orgs/<int:pk>/dues/", views.dues, name="dues"),
    path("orgs/<int:pk>/dues/import/", views.dues_import, name="dues_import"),
    path("orgs/<int:pk>/commitments/", views.commitments, name="commitments"),
    path("orgs/<int:pk>/points/", views.points, name="points"),
    path("orgs/<int:pk>/points/scheme/", views.points_scheme, name="points_scheme"),
    path("orgs/<int:pk>/evaluation/", views.evaluation, name="evaluation"),
    path("orgs/<int:pk>/evaluation/slips/", views.evaluation_slips, name="evaluation_slips"),
    path("v/done/", views.evaluated, name="evaluated"),
    path("v/<str:token>/", views.evaluate, name="evaluate"),
    path("orgs/<int:pk>/points/<int:member_pk>/", views.points_member, name="points_member"),
    path("orgs/<int:pk>/dues/<int:member_pk>/", views.dues_account, name="dues_account"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/files/<int:attachment_pk>/", views.attachment, name="attachment"),
]
