from django.urls import path

from shuzhi.scoring import views

app_name = "scoring"

urlpatterns = [
    path("cycles/<int:cycle_pk>/", views.index, name="index"),
    path("cycles/<int:cycle_pk>/import/", views.scores_import, name="import"),
    path("cycles/<int:cycle_pk>/template.xlsx", views.scores_template, name="template"),
    path("cycles/<int:cycle_pk>/compute/", views.compute, name="compute"),
    path("cycles/<int:cycle_pk>/publish/", views.publish, name="publish"),
    path("cycles/<int:cycle_pk>/finalise/", views.finalise, name="finalise"),
    path("cycles/<int:cycle_pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("cycles/<int:cycle_pk>/reporters/<int:reporter_pk>/", views.reporter, name="reporter"),
    path(
        "cycles/<int:cycle_pk>/reporters/<int:reporter_pk>/adjustments/",
        views.adjustment_add,
        name="adjustment_add",
    ),
    path(
        "cycles/<int:cycle_pk>/reporters/<int:reporter_pk>/adjustments/<int:adjustment_pk>/remove/",
        views.adjustment_remove,
        name="adjustment_remove",
    ),
    path("cycles/<int:cycle_pk>/reporters/<int:reporter_pk>/vetoes/", views.veto_record, name="veto_record"),
    path(
        "cycles/<int:cycle_pk>/reporters/<int:reporter_pk>/vetoes/<int:finding_pk>/remove/",
        views.veto_remove,
        name="veto_remove",
    ),
    path("results/<int:pk>/", views.explain, name="explain"),
    path("cycles/<int:cycle_pk>/bulletin.docx", views.bulletin, name="bulletin"),
    path("cycles/<int:cycle_pk>/bulletin/template/", views.bulletin_template, name="bulletin_template"),
    path(
        "cycles/<int:cycle_pk>/bulletin/template.docx",
        views.bulletin_template_file,
        name="bulletin_template_file",
    ),
    path("bulletin-template.docx", views.bulletin_template_default, name="bulletin_template_default"),
    path("cycles/<int:cycle_pk>/cadre.xlsx", views.cadre_xlsx, name="cadre_xlsx"),
    path("results/<int:pk>/notice.docx", views.notice, name="notice"),
    path("history/<int:org_pk>/", views.history, name="history"),
]
