"""The baseline of benchmarks/ballots.py: the least a Django view can do to record a ballot.

The URLconf of benchmarks/_ballots_bare_settings.py, which gunicorn loads instead of the
project's settings, so that the app itself has no benchmark endpoint. In one transaction the view
finds the code by its keyed hash and writes what ballot_cast writes with ballot_cast's own
statement (the used-code row, the ballot and its marks), so that the two cannot drift apart. It
does nothing else: no middleware, no meeting status or lock, no rules, no messages.
"""

import json

from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.urls import path

from shuzhi.ballots.services import CODE_PURPOSE, STORE_BALLOT
from shuzhi.core.protection import keyed_hash

CODE = "SELECT id, meeting_id, voter_class_id FROM ballots_ballotcode WHERE token_hash = %s"


def vote(request, token: str):
    if request.method != "POST":
        connection.ensure_connection()  # the warm-up: one database connection per thread
        return HttpResponse("ok")
    marks = [
        {"reporter": int(key[6:]), "grade": value, "scores": []}
        for key, value in request.POST.items()
        if key.startswith("grade_")
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(CODE, [keyed_hash(token, purpose=CODE_PURPOSE)])
        code = cursor.fetchone()
        if code is None:
            return HttpResponseNotFound()
        cursor.execute(STORE_BALLOT, {"code": code[0], "meeting": code[1], "voter_class": code[2],
                                      "suggestion": request.POST.get("suggestion", ""),
                                      "marks": json.dumps(marks)})  # fmt: skip
        if cursor.fetchone()[0] != 1:
            return HttpResponse(status=409)
    return HttpResponseRedirect("/v/done/")


urlpatterns = [path("v/<str:token>/", vote)]
