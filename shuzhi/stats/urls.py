from django.urls import path

from shuzhi.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.index, name="index"),
    path("members/", views.members, name="members"),
    path("members/count/", views.members_count, name="members_count"),
    path("orgs/", views.orgs, name="orgs"),
    path("trends/", views.trends, name="trends"),
    path("compare/", views.compare, name="compare"),
    path("export/", views.export, name="export"),
    path("checks/", views.checks, name="checks"),
]
