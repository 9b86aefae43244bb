from django.urls import path

from shuzhi.lifecycle import views

app_name = "lifecycle"

urlpatterns = [
    path("", views.index, name="index"),
    path("orgs/<int:pk>/", views.board, name="board"),
    path("orgs/<int:pk>/new/", views.applicant_new, name="applicant_new"),
    path("orgs/<int:pk>/departures/", views.departures, name="departures"),
    path("orgs/<int:pk>/headcount/", views.headcount, name="headcount"),
    path("orgs/<int:pk>/transfers/", views.transfers, name="transfers"),
    path("orgs/<int:pk>/mobile/", views.mobile, name="mobile"),
    path("transfers/<int:pk>/letter/", views.transfer_letter, name="transfer_letter"),
    path("people/<int:pk>/", views.applicant, name="applicant"),
    path("people/<int:pk>/files/<int:document_pk>/", views.document, name="document"),
    path("orgs/<int:pk>/training/", views.training, name="training"),
    path("orgs/<int:pk>/qualified/", views.qualified, name="qualified"),
    path("orgs/<int:pk>/plan/", views.plan, name="plan"),
    path("banks/template.xlsx", views.bank_template, name="bank_template"),
    path("banks/<int:pk>/", views.bank, name="bank"),
    path("banks/<int:pk>/questions/<int:question_pk>/", views.question, name="question"),
    path("test/", views.take, name="take_code"),
    path("test/<str:code>/", views.take, name="take"),
    path("qualification/", views.qualification, name="qualification"),
    path("qualification/papers/<int:pk>/", views.take_mine, name="take_mine"),
]
