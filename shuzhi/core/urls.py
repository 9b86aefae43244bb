from django.urls import path

from shuzhi.core import views

app_name = "core"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("audit/digest/", views.audit_digest, name="audit_digest"),
    path("audit/<int:seq>/", views.audit_detail, name="audit_detail"),
]
