from django.urls import path

from shuzhi.rectification import views

app_name = "rectification"

urlpatterns = [
    path("", views.board, name="board"),
    path("mine/", views.mine, name="mine"),
    path("units/<int:org_pk>/", views.unit, name="unit"),
    path("units/<int:org_pk>/overdue/", views.org_overdue, name="org_overdue"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/evidence/<int:evidence_pk>/", views.evidence, name="evidence"),
    path("cycles/<int:cycle_pk>/generate/", views.generate, name="generate"),
    path("cycles/<int:cycle_pk>/confirm/", views.confirm, name="confirm"),
    path("cycles/<int:cycle_pk>/units/<int:org_pk>/plan.docx", views.plan, name="plan"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/report.docx", views.supervision_docx, name="supervision_docx"),
    path("supervision/report.xlsx", views.supervision_xlsx, name="supervision_xlsx"),
    path("accountability/", views.accountability, name="accountability"),
]
