from django.urls import path

from shuzhi.ballots import views

app_name = "ballots"

urlpatterns = [
    path("v/", views.vote_enter, name="vote_enter"),
    path("v/done/", views.thanks, name="thanks"),
    path("v/<str:token>/", views.vote, name="vote"),
    path("s/<str:token>/", views.display, name="display"),
    path("ballots/meetings/new/<int:cycle_pk>/", views.meeting_create, name="meeting_create"),
    path("ballots/meetings/<int:pk>/", views.meeting, name="meeting"),
    path("ballots/meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("ballots/meetings/<int:pk>/classes/", views.class_add, name="class_add"),
    path("ballots/meetings/<int:pk>/classes/<int:class_pk>/remove/", views.class_remove, name="class_remove"),
    path("ballots/meetings/<int:pk>/classes/<int:class_pk>/point/", views.class_point, name="class_point"),
    path("ballots/meetings/<int:pk>/codes/", views.codes_issue, name="codes_issue"),
    path("ballots/meetings/<int:pk>/slips/", views.slips, name="slips"),
    path("ballots/meetings/<int:pk>/slips/void/", views.code_void, name="code_void"),
    path("ballots/meetings/<int:pk>/open/", views.voting_open, name="open"),
    path("ballots/meetings/<int:pk>/close/", views.voting_close, name="close"),
    path("ballots/meetings/<int:pk>/tally/", views.tally, name="tally"),
    path("ballots/meetings/<int:pk>/rehearsal/start/", views.rehearsal_start, name="rehearsal_start"),
    path("ballots/meetings/<int:pk>/rehearsal/close/", views.rehearsal_close, name="rehearsal_close"),
    path("ballots/meetings/<int:pk>/rehearsal/clear/", views.rehearsal_clear, name="rehearsal_clear"),
    path("ballots/meetings/<int:pk>/screen/", views.screen, name="screen"),
    path("ballots/meetings/<int:pk>/screen-link/", views.screen_link, name="screen_link"),
    path("ballots/meetings/<int:pk>/paper/<int:class_pk>/<int:entry>/", views.paper, name="paper"),
    path("ballots/meetings/<int:pk>/scrutineers/", views.scrutineer_add, name="scrutineer_add"),
    path(
        "ballots/meetings/<int:pk>/scrutineers/<int:scrutineer_pk>/sign/",
        views.scrutineer_sign,
        name="scrutineer_sign",
    ),
    path(
        "ballots/meetings/<int:pk>/scrutineers/<int:scrutineer_pk>/code/",
        views.scrutineer_code,
        name="scrutineer_code",
    ),
    path("ballots/meetings/<int:pk>/count-sheet/", views.count_sheet, name="count_sheet"),
    path("ballots/sign/", views.sign_with_code, name="sign_with_code"),
    path("ballots/meetings/<int:pk>/comments/", views.comments, name="comments"),
    path("ballots/meetings/<int:pk>/suggestions/", views.suggestions, name="suggestions"),
]
