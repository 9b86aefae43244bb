"""Several app servers behind one address: two gunicorn servers, each with a data folder of its
own (as two machines would have), share one PostgreSQL database, one Redis (cache and sessions)
and one S3-compatible object store (files). What a person does through one is there through the
other: a session, an uploaded attachment, a cast ballot.

PostgreSQL only: the servers are other processes, so the data must be committed
(transaction=True) in a database they reach over the network."""

import io
from datetime import date

import docx
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse

from shuzhi.ballots.models import Ballot, CodeUse
from shuzhi.core.files import unseal
from shuzhi.core.grades import Grade
from shuzhi.reports.models import Attachment
from shuzhi.testing.cycles import county_cycle, township_report
from shuzhi.testing.factories import PASSWORD
from shuzhi.testing.meetings import county_meeting, tokens
from shuzhi.testing.servers import Visitor, app_env, database_url, gunicorn, object_store, redis_server

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: app server processes share the test database (.ci/run runs the suite on both)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_session_an_attachment_a_policy_and_a_ballot_made_through_one_server_are_there_through_the_other(
    cast, tmp_path
):
    meeting = county_meeting(cast)
    token = tokens(meeting, "党员群众代表")[0]
    report = township_report(county_cycle(cast, year=date.today().year + 1), cast)
    content = _docx("两台服务器共用的附件：村级后备干部储备不足。")
    with (
        redis_server(tmp_path / "redis") as redis_url,
        object_store(tmp_path / "s3") as store,
    ):
        shared = {"DATABASE_URL": database_url(connection.settings_dict), "SHUZHI_REDIS_URL": redis_url}
        shared |= store.env()
        with (
            gunicorn(app_env(settings, tmp_path / "a", **shared), log=tmp_path / "a.log") as a,
            gunicorn(app_env(settings, tmp_path / "b", **shared), log=tmp_path / "b.log") as b,
        ):
            secretary = Visitor()
            secretary.login(a.base, cast.township_secretary.username, PASSWORD)
            status, home = secretary.get(f"{b.base}/")
            assert status == 200 and f"您好，{cast.township_secretary.full_name}" in home.decode()
            assert not Session.objects.exists()  # the session lives in Redis, not in the database

            attach = f"{a.base}{reverse('reports:attach', args=[report.pk])}"
            status, _page = secretary.post(attach, {}, files={"file": ("签字版.docx", content)})
            assert status == 200
            attachment = Attachment.objects.get(report=report)
            download = reverse("reports:attachment", args=[report.pk, attachment.pk])
            assert secretary.get(f"{b.base}{download}") == (200, content)
            assert {name: unseal(data) for name, data in store.objects().items()} == {
                attachment.file.name: content
            }
            assert content not in store.objects()[attachment.file.name]  # encrypted in the store

            # the security policy is cached: a change on one server is seen at once on the other
            security, policy = Visitor(), reverse("accounts:security_policy")
            security.login(b.base, cast.secadmin.username, PASSWORD)
            assert 'name="lockout_minutes" value="30"' in security.get(f"{b.base}{policy}")[1].decode()
            fields = {
                "password_min_length": 8,
                "lockout_threshold": 5,
                "lockout_minutes": 45,
                "session_idle_minutes": 30,
            }
            assert security.post(f"{a.base}{policy}", fields)[0] == 200
            assert 'name="lockout_minutes" value="45"' in security.get(f"{b.base}{policy}")[1].decode()

            phone = Visitor()
            ballot = {f"grade_{reporter}": Grade.GOOD for reporter in meeting.agenda}
            status, thanks = phone.post(f"{a.base}/v/{token}/", ballot)
            assert status == 200 and "投票成功" in thanks.decode()
            status, refused = phone.post(f"{b.base}/v/{token}/", ballot)
            assert status == 409 and "已经投过票" in refused.decode()

    assert (
        CodeUse.objects.filter(meeting=meeting).count() == Ballot.objects.filter(meeting=meeting).count() == 1
    )
    for server in ("a", "b"):
        assert not (tmp_path / server / "media").exists()  # no file on either server's own disk
