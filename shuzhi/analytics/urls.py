from django.urls import path

from shuzhi.analytics import views

app_name = "analytics"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/check/", views.report_check, name="report_check"),
    path("cycles/<int:pk>/", views.cycle, name="cycle"),
    path("cycles/<int:pk>/check/", views.cycle_check, name="cycle_check"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:pk>/", views.template, name="template"),
    path("templates/<int:pk>/remove/", views.template_remove, name="template_remove"),
]
