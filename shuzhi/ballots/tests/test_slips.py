"""Slips: a short code to type at /v/, the QR address from SHUZHI_BALLOT_BASE_URL, printed in a
random order with no serial on the voter's part, and a lost slip voided and replaced (audited,
counted); a voided slip is refused on the phone."""

import io
import re

import docx
import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse

from shuzhi.ballots.models import CODE_ALPHABET, Ballot, BallotCode, CodeUse
from shuzhi.ballots.services import ballot_cast, code_normalise, code_void, voting_close
from shuzhi.core.grades import Grade
from shuzhi.core.models import AuditEvent
from shuzhi.testing.meetings import county_meeting, tokens

pytestmark = pytest.mark.django_db


def _slips(client, meeting, **params) -> str:
    return client.get(reverse("ballots:slips", args=[meeting.pk]), params).content.decode()


def test_every_code_is_a_short_code_a_person_can_type(client, cast):
    meeting = county_meeting(cast)
    code = BallotCode.objects.filter(meeting=meeting).first()
    assert len(code.token) == 10 and set(code.token) <= set(CODE_ALPHABET)
    assert code.short_code == f"{code.token[:5]}-{code.token[5:]}"
    typed = f" {code.short_code.lower()} "
    assert code_normalise(typed) == code.token
    assert code_normalise("ＡＢＣＤＥ－ＦＧＨＪＫ") == "ABCDEFGHJK"  # full-width, as some keyboards type
    entry = reverse("ballots:vote_enter")
    assert client.get(entry).status_code == 200
    response = client.post(entry, {"code": typed})
    assert response.status_code == 302 and response.url == reverse("ballots:vote", args=[code.token])
    wrong = client.post(entry, {"code": "AAAAA-AAAAA"})
    assert wrong.status_code == 400 and "没有这个票码" in wrong.content.decode()
    assert 'value="AAAAA-AAAAA"' in wrong.content.decode()  # what was typed stays
    assert client.put(entry).status_code == 405


def test_slips_come_in_a_random_order_with_no_serial_on_the_voters_part(client, cast):
    meeting = county_meeting(cast, open_voting=False)
    client.force_login(cast.county_organiser)
    orders = set()
    for _i in range(4):
        page = _slips(client, meeting)
        orders.add(tuple(re.findall(r'data-testid="short-code">票码 ([A-Z0-9-]+)<', page)))
    assert len(orders) > 1  # 13! orders: four prints in the same order would be chance
    slips = page.split('data-testid="slip"')[1:]
    assert len(slips) == 13
    for slip in slips:
        voter_part = slip.split('data-testid="stub"')[0]
        assert "第" not in voter_part and "号" not in voter_part
        assert re.search(r"存根（会务人员留存） · .+ · 第 \d+ 张", slip)
    document = docx.Document(
        io.BytesIO(client.get(reverse("ballots:slips", args=[meeting.pk]), {"format": "docx"}).content)
    )
    for cell in (c for row in document.tables[0].rows for c in row.cells if c.text):
        voter_part, stub = cell.text.split("✂")
        assert "第" not in voter_part and "票码 " in voter_part and "第" in stub


def test_the_qr_address_comes_from_the_ballot_base_url_setting(client, cast, settings):
    meeting = county_meeting(cast, open_voting=False)
    client.force_login(cast.county_organiser)
    page = _slips(client, meeting)
    assert 'data-testid="loopback-warning"' not in page  # testserver: not this machine's loopback
    settings.BALLOT_BASE_URL = "http://127.0.0.1:8000"
    assert "这是本机地址，与会人员的手机打不开" in _slips(client, meeting)
    settings.BALLOT_BASE_URL = "http://192.168.1.20:8000"
    page = _slips(client, meeting)
    assert "打开 http://192.168.1.20:8000/v/ 输入票码" in page and "loopback-warning" not in page
    document = docx.Document(
        io.BytesIO(client.get(reverse("ballots:slips", args=[meeting.pk]), {"format": "docx"}).content)
    )
    assert "http://192.168.1.20:8000/v/" in document.tables[0].cell(0, 0).text


def test_a_malformed_ballot_base_url_stops_the_start(monkeypatch):
    from config.env import env_url

    monkeypatch.setenv("SHUZHI_BALLOT_BASE_URL", "192.168.1.20:8000")
    with pytest.raises(ImproperlyConfigured):
        env_url("SHUZHI_BALLOT_BASE_URL")
    monkeypatch.setenv("SHUZHI_BALLOT_BASE_URL", "http://192.168.1.20:8000/")
    assert env_url("SHUZHI_BALLOT_BASE_URL") == "http://192.168.1.20:8000"


def test_a_lost_slip_is_voided_and_a_new_one_issued_and_the_old_one_is_refused(client, cast):
    meeting = county_meeting(cast)
    lost = BallotCode.objects.get(meeting=meeting, serial=3)
    client.force_login(cast.county_organiser)
    response = client.post(reverse("ballots:code_void", args=[meeting.pk]), {"serial": 3})
    new = BallotCode.objects.get(meeting=meeting, serial=14)
    assert (
        response.status_code == 302
        and response.url == f"{reverse('ballots:slips', args=[meeting.pk])}?serial=14"
    )
    lost.refresh_from_db()
    assert lost.voided_at is not None and new.voter_class == lost.voter_class and new.voided_at is None
    event = AuditEvent.objects.get(action="meeting.code_void")
    assert event.changes["voided_serial"] == 3 and event.changes["new_serial"] == 14
    page = client.get(reverse("ballots:meeting", args=[meeting.pk])).content.decode()
    assert "已作废并补发票签 1 张" in page
    one = _slips(client, meeting, serial=14)
    assert one.count('data-testid="slip"') == 1 and new.short_code in one and lost.short_code not in one
    assert lost.short_code not in _slips(client, meeting)  # the voided slip is never printed again
    # the old slip is refused on the phone, scanned or cast, with a clear message
    url = reverse("ballots:vote", args=[lost.token])
    refused = client.get(url)
    assert refused.status_code == 410 and "这张票签已作废" in refused.content.decode()
    cast_anyway = client.post(url, {f"grade_{r}": Grade.GOOD for r in meeting.agenda})
    assert cast_anyway.status_code == 410 and "请使用会务人员补发的新票签" in cast_anyway.content.decode()
    with pytest.raises(ValidationError) as error:
        ballot_cast(token=lost.token, grades=dict.fromkeys(meeting.agenda, Grade.GOOD))
    assert error.value.code == "voided"
    assert not Ballot.objects.exists() and not CodeUse.objects.exists()
    ballot_cast(token=new.token, grades=dict.fromkeys(meeting.agenda, Grade.GOOD))
    assert CodeUse.objects.filter(code=new).exists()


def test_voiding_is_refused_for_a_used_slip_an_unknown_one_twice_and_after_closing(client, cast):
    meeting = county_meeting(cast)
    used, spoiled = tokens(meeting, "党员群众代表")[:2]
    ballot_cast(token=used, grades=dict.fromkeys(meeting.agenda, Grade.GOOD))
    with pytest.raises(ValidationError) as error:
        code_void(actor=cast.county_organiser, meeting=meeting, code=used)
    assert error.value.message_dict == {"code": ["这张票签已经投过票，不能作废。"]}
    with pytest.raises(ValidationError) as error:
        code_void(actor=cast.county_organiser, meeting=meeting, serial=999)
    assert error.value.message_dict == {"serial": ["本次会议没有这张票签，请核对票码或存根编号。"]}
    with pytest.raises(ValidationError):
        code_void(actor=cast.county_organiser, meeting=meeting)
    code_void(actor=cast.county_organiser, meeting=meeting, code=spoiled.lower())
    with pytest.raises(ValidationError) as error:
        code_void(actor=cast.county_organiser, meeting=meeting, code=spoiled)
    assert error.value.message_dict == {"code": ["这张票签已经作废，不必再作废。"]}
    with pytest.raises(ValidationError):
        code_void(actor=cast.township_secretary, meeting=meeting, serial=5)
    client.force_login(cast.township_secretary)
    assert client.post(reverse("ballots:code_void", args=[meeting.pk]), {"serial": 5}).status_code == 403
    meeting = voting_close(actor=cast.county_organiser, meeting=meeting)
    with pytest.raises(ValidationError) as error:
        code_void(actor=cast.county_organiser, meeting=meeting, serial=5)
    assert error.value.code == "closed"
    assert BallotCode.objects.filter(meeting=meeting, voided_at__isnull=False).count() == 1
    assert BallotCode.objects.filter(meeting=meeting).count() == 14
