from django.contrib.auth.views import LogoutView
from django.urls import path

from shuzhi.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.ShuzhiLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("security/", views.security_policy, name="security_policy"),
    path("security/locked/", views.locked_list, name="locked_list"),
    path("security/locked/unlock/", views.locked_unlock, name="locked_unlock"),
]
