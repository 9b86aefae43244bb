from django.urls import path

from shuzhi.projects import survey_views, views

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

# 问卷调查: the answer page by code sits under /v/, which every log masks (ballots.logging)
urlpatterns += [
    path("surveys/", survey_views.survey_index, name="surveys"),
    path("surveys/<int:pk>/", survey_views.survey, name="survey"),
    path("surveys/<int:pk>/slips/", survey_views.survey_slips, name="survey_slips"),
    path("surveys/<int:pk>/results.csv", survey_views.survey_export, name="survey_export"),
    path("surveys/v/done/", survey_views.survey_done, name="survey_done"),
    path("surveys/v/<str:token>/", survey_views.survey_answer, name="survey_answer"),
    path("surveys/o/<str:key>/", survey_views.survey_open, name="survey_open"),
]
