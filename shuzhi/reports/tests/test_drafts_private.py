"""A report not yet handed in is its writer's: a reviewer reads it through no door (the page,
its Word file, the compilation of the cycle, the reading of its text, the search) until it is
submitted. The 组织部 that runs the cycle follows drafts as before."""

import io

import docx
import pytest
from django.urls import reverse

from shuzhi.analytics.selectors import search
from shuzhi.analytics.services import index_refresh
from shuzhi.reports.services import report_submit
from shuzhi.testing.cycles import SECTION_TEXT, county_cycle, fill, township_report

pytestmark = pytest.mark.django_db

DRAFT_WORDS = "软弱涣散村党组织整顿转化"  # from SECTION_TEXT["achievements"]


def _book_text(client, cycle) -> str:
    response = client.get(reverse("reports:book", args=[cycle.pk]))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    return "\n".join(p.text for p in document.paragraphs)


def test_a_reviewer_reads_no_draft_until_it_is_submitted(client, cast):
    assert DRAFT_WORDS in SECTION_TEXT["achievements"]
    cycle = county_cycle(cast)
    report = fill(township_report(cycle, cast), cast.township_secretary)
    assert report.status == report.Status.DRAFT
    doors = [
        reverse("reports:detail", args=[report.pk]),
        reverse("reports:docx", args=[report.pk]),
        reverse("reports:diff", args=[report.pk]),
        reverse("analytics:report", args=[report.pk]),
    ]
    index_refresh()
    client.force_login(cast.reviewer)
    assert doors[0] not in client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()  # no link
    assert [client.get(url).status_code for url in doors] == [404] * len(doors)
    assert DRAFT_WORDS not in _book_text(client, cycle)
    assert not search(viewer=cast.reviewer, query=DRAFT_WORDS)

    client.force_login(cast.county_organiser)  # those who run the cycle follow the draft
    assert client.get(doors[0]).status_code == 200
    assert DRAFT_WORDS in _book_text(client, cycle)
    assert search(viewer=cast.county_organiser, query=DRAFT_WORDS)

    report_submit(actor=cast.township_secretary, report=report)
    index_refresh()
    client.force_login(cast.reviewer)
    assert doors[0] in client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    assert client.get(doors[0]).status_code == 200
    assert DRAFT_WORDS in client.get(doors[0]).content.decode()
    assert DRAFT_WORDS in _book_text(client, cycle)
    assert search(viewer=cast.reviewer, query=DRAFT_WORDS)
