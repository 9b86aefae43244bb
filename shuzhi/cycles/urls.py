from django.urls import path

from shuzhi.cycles import views

app_name = "cycles"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("templates/", views.templates, name="templates"),
    path("<int:pk>/offer/", views.offer, name="offer"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reporters/add/", views.reporters_add, name="reporters_add"),
    path("<int:pk>/reporters/<int:reporter_pk>/", views.reporter_edit, name="reporter_edit"),
    path("<int:pk>/reporters/<int:reporter_pk>/remove/", views.reporter_remove, name="reporter_remove"),
    path("<int:pk>/reporters/<int:reporter_pk>/invite/", views.reporter_invite, name="reporter_invite"),
    path("<int:pk>/advance/", views.advance, name="advance"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/remind/", views.remind, name="remind"),
]
