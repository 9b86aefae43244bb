from django.urls import path

from shuzhi.exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/<str:kind>/", views.upload, name="upload"),
    path("templates/<str:kind>.xlsx", views.blank_template, name="template"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/progress/", views.progress, name="progress"),
    path("jobs/<int:pk>/report.xlsx", views.report, name="report"),
    path("jobs/<int:pk>/download.xlsx", views.download, name="download"),
    path("export/orgs/", views.export_orgs, name="export_orgs"),
    path("export/members/", views.export_members, name="export_members"),
]
