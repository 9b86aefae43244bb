from django.urls import path

from shuzhi.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/items/", views.item_add, name="item_add"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
    path("<int:pk>/return/", views.return_, name="return"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/attachments/", views.attach, name="attach"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/remove/", views.attachment_remove, name="attachment_remove"
    ),
    path("<int:pk>/import/", views.import_docx, name="import"),
    path("<int:pk>/import/apply/", views.import_apply, name="import_apply"),
    path("<int:pk>/report.docx", views.docx, name="docx"),
    path("<int:pk>/diff/", views.diff, name="diff"),
    path("cycles/<int:pk>/book.docx", views.book, name="book"),
]
