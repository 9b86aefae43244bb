"""The report's copies page, the secretary's advice, the cycle list, the template corpus: who
may see what, and what they see."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuzhi.analytics import services
from shuzhi.analytics.models import Document, TemplateText
from shuzhi.analytics.tests.conftest import SOURCE
from shuzhi.core.models import AuditEvent
from shuzhi.reports.models import Report


@pytest.fixture
def checked(copied):
    services.checks_refresh()
    return copied


def test_the_county_organiser_sees_the_passage_but_not_the_other_countys_text(client, cast, checked):
    client.force_login(cast.county_organiser)
    response = client.get(reverse("analytics:report", args=[checked.report_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert checked.copied in body
    assert "来源文本不在您的查看范围内" in body
    assert "其他单位" in body and cast.township_b.name not in body and SOURCE not in body
    assert "空泛" in body or "较笼统" in body  # the problems section is stock phrases


def test_the_city_organiser_sees_both_sides(client, cast, checked):
    client.force_login(cast.city_organiser)
    body = client.get(reverse("analytics:report", args=[checked.report_a.pk])).content.decode()
    assert checked.copied in body and SOURCE in body and cast.township_b.name in body
    assert 'data-testid="source-text"' in body


def test_the_report_page_is_404_outside_the_subtree_and_403_for_a_member(client, cast, checked):
    url = reverse("analytics:report", args=[checked.report_a.pk])
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.member_user)
    assert client.get(url).status_code == 403
    client.force_login(checked.secretary_b)
    assert client.get(url).status_code == 404


def test_pages_answer_only_their_methods(client, cast, checked):
    client.force_login(cast.county_organiser)
    assert client.post(reverse("analytics:report", args=[checked.report_a.pk])).status_code == 405
    assert client.get(reverse("analytics:report_check", args=[checked.report_a.pk])).status_code == 405
    assert client.post(reverse("analytics:cycle", args=[checked.cycle_a.pk])).status_code == 405
    assert client.get(reverse("analytics:cycle_check", args=[checked.cycle_a.pk])).status_code == 405
    assert client.post(reverse("analytics:search")).status_code == 405
    template = services.template_add(
        actor=cast.county_organiser, title="范文", upload=SimpleUploadedFile("a.txt", SOURCE.encode())
    )
    assert client.post(reverse("analytics:template", args=[template.pk])).status_code == 405
    assert client.get(reverse("analytics:template_remove", args=[template.pk])).status_code == 405


def test_the_secretary_checks_the_draft_and_gets_advice_without_the_other_units_text(client, cast, copied):
    services.index_refresh()  # the other units' reports, as the scheduled refresh leaves them
    client.force_login(cast.township_secretary)
    editor = client.get(reverse("reports:edit", args=[copied.report_a.pk])).content.decode()
    assert 'data-testid="advice-check"' in editor
    response = client.post(
        reverse("analytics:report_check", args=[copied.report_a.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "发现 1 段雷同内容" in body and copied.copied in body
    assert SOURCE not in body and cast.township_b.name not in body
    assert "套话" in body  # the problems section's reading, with its reasons
    # advice, not a block: the report can still be submitted as before
    assert copied.report_a.is_editable


def test_a_reviewer_may_read_but_not_check(client, cast, checked):
    client.force_login(cast.reviewer)
    url = reverse("analytics:report", args=[checked.report_a.pk])
    assert client.get(url).status_code == 404  # a draft is not for reviewers (reports.selectors)
    Report.objects.filter(pk=checked.report_a.pk).update(status=Report.Status.SUBMITTED)
    assert client.get(url).status_code == 200
    assert client.post(reverse("analytics:report_check", args=[checked.report_a.pk])).status_code == 403
    assert client.post(reverse("analytics:cycle_check", args=[checked.cycle_a.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action="analytics.cycle_check").exists()


def test_another_units_secretary_cannot_check_a_report(client, cast, copied):
    client.force_login(copied.secretary_b)
    assert client.post(reverse("analytics:report_check", args=[copied.report_a.pk])).status_code == 404


def test_the_cycle_page_lists_reports_by_copied_share_in_a_fixed_number_of_queries(
    client, cast, checked, django_assert_num_queries
):
    client.force_login(cast.county_organiser)
    url = reverse("analytics:cycle", args=[checked.cycle_a.pk])
    client.get(url)
    with django_assert_num_queries(7):  # session, user, cycle, reports, items, documents, findings…
        response = client.get(url)
    body = response.content.decode()
    assert cast.township_a.name in body
    share = round(Document.objects.get(kind="report", object_id=checked.report_a.pk).copied_share * 100)
    assert f"{share}%" in body


def test_the_cycle_page_is_404_outside_the_subtree_and_403_without_cycles(client, cast, checked):
    url = reverse("analytics:cycle", args=[checked.cycle_a.pk])
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    assert client.post(reverse("analytics:cycle_check", args=[checked.cycle_a.pk])).status_code == 404
    client.force_login(cast.township_secretary)
    assert client.get(url).status_code == 403


def test_the_organiser_checks_the_whole_cycle(client, cast, copied):
    client.force_login(cast.county_organiser)
    response = client.post(reverse("analytics:cycle_check", args=[copied.cycle_a.pk]), follow=True)
    assert "已检查 1 份报告" in response.content.decode()
    assert Document.objects.get(kind="report", object_id=copied.report_a.pk).copied_share > 0
    assert AuditEvent.objects.filter(action="analytics.cycle_check").count() == 1


def test_the_organiser_uploads_a_template_and_a_bad_file_is_refused_with_the_form_kept(client, cast):
    client.force_login(cast.county_organiser)
    url = reverse("analytics:templates")
    bad = SimpleUploadedFile("病毒.txt", b"MZ" + b"\x00" * 64)
    response = client.post(url, {"title": "我的标题", "file": bad})
    assert response.status_code == 200
    body = response.content.decode()
    assert "我的标题" in body and "invalid-feedback" in body
    assert not TemplateText.objects.exists()
    good = SimpleUploadedFile("范文.txt", ("范文：" + SOURCE).encode())
    response = client.post(url, {"title": "网上范文", "file": good}, follow=True)
    assert "已加入比对库" in response.content.decode()
    template = TemplateText.objects.get()
    assert client.get(reverse("analytics:template", args=[template.pk])).status_code == 200


def test_templates_are_scoped_and_only_their_owner_removes_them(client, cast):
    template = services.template_add(
        actor=cast.county_organiser, title="范文", upload=SimpleUploadedFile("a.txt", SOURCE.encode())
    )
    url = reverse("analytics:template", args=[template.pk])
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    assert "还没有范文" in client.get(reverse("analytics:templates")).content.decode()
    client.force_login(cast.township_secretary)
    assert client.get(url).status_code == 403
    client.force_login(cast.city_organiser)
    assert client.get(url).status_code == 200
    assert client.post(reverse("analytics:template_remove", args=[template.pk])).status_code == 403
    client.force_login(cast.county_organiser)
    client.post(reverse("analytics:template_remove", args=[template.pk]))
    assert not TemplateText.objects.exists()
    assert not Document.objects.filter(kind="template").exists()
    assert AuditEvent.objects.filter(action="analytics.template_remove").exists()


def test_the_report_and_cycle_pages_link_to_the_checks(client, cast, copied):
    client.force_login(cast.county_organiser)
    detail = client.get(reverse("reports:detail", args=[copied.report_a.pk])).content.decode()
    assert reverse("analytics:report", args=[copied.report_a.pk]) in detail
    cycle = client.get(reverse("cycles:detail", args=[copied.cycle_a.pk])).content.decode()
    assert reverse("analytics:cycle", args=[copied.cycle_a.pk]) in cycle


def test_a_reviewer_sees_on_the_cycle_list_only_the_reports_handed_in(client, cast, checked):
    """A draft is read by its writer and the 组织部 alone: its copied share and its link (which would
    end on 'not found') are not on a reviewer's list either."""
    url = reverse("analytics:cycle", args=[checked.cycle_a.pk])
    report_page = reverse("analytics:report", args=[checked.report_a.pk])
    client.force_login(cast.reviewer)
    body = client.get(url).content.decode()
    assert report_page not in body and cast.township_a.name not in body
    assert client.get(report_page).status_code == 404
    Report.objects.filter(pk=checked.report_a.pk).update(status=Report.Status.SUBMITTED)
    assert report_page in client.get(url).content.decode()
    assert client.get(report_page).status_code == 200
