from django.urls import path

from shuzhi.standards import views

app_name = "standards"

urlpatterns = [
    path("", views.index, name="index"),
    path("standards/<int:pk>/", views.standard, name="standard"),
    path("standards/<int:pk>/items/new/", views.item_edit, name="item_new"),
    path("standards/<int:pk>/items/<int:item_pk>/", views.item_edit, name="item_edit"),
    path("standards/<int:pk>/items/<int:item_pk>/delete/", views.item_delete, name="item_delete"),
    path("standards/<int:pk>/levels/", views.levels_edit, name="levels_edit"),
    path("orgs/<int:pk>/", views.org, name="org"),
    path("orgs/<int:pk>/compute/", views.compute, name="compute"),
    path("orgs/<int:pk>/publish/", views.publish, name="publish"),
    path("orgs/<int:pk>/published/", views.published, name="published"),
    path("branches/<int:pk>/", views.branch, name="branch"),
    path("branches/<int:pk>/items/<int:item_pk>/fill/", views.fill, name="fill"),
    path("branches/<int:pk>/items/<int:item_pk>/verdict/", views.verdict, name="verdict"),
    path("branches/<int:pk>/submit/", views.submit, name="submit"),
    path("branches/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("branches/<int:pk>/checks/<int:check_pk>/photo/", views.photo, name="photo"),
]

urlpatterns += [
    path("education/mine/", views.education_mine, name="education_mine"),
    path("education/orgs/<int:pk>/", views.education, name="education"),
    path("education/orgs/<int:pk>/new/", views.training_new, name="training_new"),
    path("education/orgs/<int:pk>/import/", views.training_import, name="training_import"),
]

urlpatterns += [
    path("follow-up/orgs/<int:pk>/", views.follow_up, name="follow_up"),
    path("follow-up/members/<int:member_pk>/", views.follow_up_member, name="follow_up_member"),
]
