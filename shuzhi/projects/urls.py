from django.urls import path

from shuzhi.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.round_new, name="round_new"),
    path("mine/", views.mine, name="mine"),
    path("exemplary/", views.exemplary, name="exemplary"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("rounds/<int:pk>/ranking.docx", views.ranking_docx, name="ranking_docx"),
    path("rounds/<int:pk>/supervision.docx", views.supervision_docx, name="supervision_docx"),
    path("declarations/<int:pk>/", views.declaration, name="declaration"),
    path("declarations/<int:pk>/projects/new/", views.project_form, name="project_new"),
    path("declarations/<int:pk>/projects/<int:project_pk>/", views.project_form, name="project_edit"),
    path("p/<int:pk>/", views.project, name="project"),
    path("p/<int:pk>/files/<int:file_pk>/", views.project_file, name="project_file"),
]
