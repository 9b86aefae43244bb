from django.urls import path

from shuzhi.members import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("count/", views.member_count, name="count"),
    path("find/", views.find, name="find"),
    path("me/", views.me, name="me"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/edit/", views.edit, name="edit"),
]
