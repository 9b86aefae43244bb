"""The 公示: the results cannot be sealed while it runs, and the document issued during it says
it is a 公示 (with its last day), whatever template the organisation uses."""

import io
from datetime import timedelta
from urllib.parse import quote

import docx
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shuzhi.core import documents as core_documents
from shuzhi.scoring import documents
from shuzhi.scoring.models import Assessment
from shuzhi.scoring.services import (
    assessment_compute,
    assessment_finalise,
    assessment_publish,
    component_score_set,
)
from shuzhi.testing.meetings import tallied_cycle

pytestmark = pytest.mark.django_db

DAYS = 5


@pytest.fixture
def in_publicity(cast):
    cycle, _meeting = tallied_cycle(cast)
    for reporter in cycle.reporters.all():
        for component in ("日常考核", "重点任务"):
            component_score_set(
                actor=cast.county_organiser, reporter=reporter, component=component, score="88"
            )
    assessment_compute(actor=cast.county_organiser, cycle=cycle)
    assessment = assessment_publish(actor=cast.county_organiser, cycle=cycle, objection_days=DAYS)
    assert assessment.status == Assessment.Status.PUBLISHED
    assert assessment.objection_until == timezone.localdate() + timedelta(days=DAYS)
    return cycle, assessment


def _text(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.text.strip()]


def test_sealing_is_refused_until_the_publicity_period_has_ended(client, cast, in_publicity):
    cycle, assessment = in_publicity
    last_day = assessment.objection_until
    with pytest.raises(ValidationError) as refused:
        assessment_finalise(actor=cast.county_organiser, cycle=cycle)
    assert f"公示期至 {last_day.isoformat()}" in refused.value.messages[0]
    assert f"{(last_day + timedelta(days=1)).isoformat()} 起" in refused.value.messages[0]
    client.force_login(cast.county_organiser)
    page = client.get(reverse("scoring:index", args=[cycle.pk])).content.decode()
    assert 'data-testid="publicity-running"' in page and "确定并封存结果</button>" not in page
    page = client.post(reverse("scoring:finalise", args=[cycle.pk]), follow=True).content.decode()
    assert "公示期满后（" in page  # the service's refusal, for a form posted anyway
    last = time_machine.travel(timezone.now() + timedelta(days=DAYS), tick=False)  # the last day: still 公示
    with last, pytest.raises(ValidationError):
        assessment_finalise(actor=cast.county_organiser, cycle=cycle)
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.PUBLISHED
    assert not Assessment.objects.get(pk=assessment.pk).seal
    with time_machine.travel(timezone.now() + timedelta(days=DAYS + 1), tick=False):
        client.force_login(cast.county_organiser)  # a new day, a new session
        page = client.get(reverse("scoring:index", args=[cycle.pk])).content.decode()
        assert "确定并封存结果</button>" in page
        sealed = assessment_finalise(actor=cast.county_organiser, cycle=cycle)
    assert sealed.status == Assessment.Status.FINAL and sealed.seal


def test_the_document_issued_during_the_publicity_says_it_is_a_publicity(client, cast, in_publicity):
    cycle, assessment = in_publicity
    client.force_login(cast.county_organiser)
    response = client.get(reverse("scoring:bulletin", args=[cycle.pk]))
    assert quote("考核结果公示.docx") in response["Content-Disposition"]
    paragraphs = _text(response.content)
    assert paragraphs[0] == f"关于{cycle.title}结果的公示"
    until = core_documents.chinese_date(assessment.objection_until)
    assert any(f"公示期至{until}" in p for p in paragraphs)
    assert any("现将考核结果公示如下" in p for p in paragraphs)

    with time_machine.travel(timezone.now() + timedelta(days=DAYS + 1), tick=False):
        assessment_finalise(actor=cast.county_organiser, cycle=cycle)
    response = client.get(reverse("scoring:bulletin", args=[cycle.pk]))
    assert quote("考核结果通报.docx") in response["Content-Disposition"]
    paragraphs = _text(response.content)
    assert paragraphs[0] == f"关于{cycle.title}结果的通报" and not any("公示期至" in p for p in paragraphs)


def test_an_organisations_own_template_that_does_not_say_it_is_told_to(cast, in_publicity):
    cycle, assessment = in_publicity
    template = docx.Document()
    template.add_paragraph("关于{{ cycle_title }}结果的通报")
    template.add_paragraph("共{{ total }}个单位。")
    buffer = io.BytesIO()
    template.save(buffer)
    upload = SimpleUploadedFile("本单位通报.docx", buffer.getvalue())
    documents.bulletin_template_upload(
        actor=cast.county_organiser,
        organization=cycle.organization,
        upload=upload,
        name=upload.name,
        size=upload.size,
    )
    paragraphs = _text(documents.bulletin_docx(assessment))
    assert paragraphs[0].startswith("（公示）") and "公示期至" in paragraphs[0]
    assert paragraphs[1] == f"关于{cycle.title}结果的通报"
