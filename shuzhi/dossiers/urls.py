from django.urls import path

from shuzhi.dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("", views.index, name="index"),
    path("checklist/", views.checklist, name="checklist"),
    path("mine/", views.mine, name="mine"),
    path("mine/community/", views.community_mine, name="community_mine"),
    path("orgs/<int:pk>/", views.files, name="files"),
    path("orgs/<int:pk>/talents/", views.talents, name="talents"),
    path("orgs/<int:pk>/community/", views.community, name="community"),
    path("members/<int:pk>/", views.member_file, name="member"),
    path("members/<int:pk>/scans/<int:scan_pk>/", views.scan, name="scan"),
    path("members/<int:pk>/scans/<int:scan_pk>/remove/", views.scan_remove, name="scan_remove"),
]
