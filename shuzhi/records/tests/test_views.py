"""The records pages: who sees and enters what, on which subtree; refusals like an attacker."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shuzhi.records.models import Attachment, Meeting
from shuzhi.records.services import Mark, meeting_record
from shuzhi.testing.records import PNG, branch_secretary, clerk, year_of_records

pytestmark = pytest.mark.django_db


def _post(cast, **extra):
    data = {"kind": "congress", "held_on": f"{timezone.localdate():%Y-%m-%d}", "topic": "支部党员大会",
            "host": "李秀英", "teacher": "", "minutes": "", f"a{cast.member_a.pk}": "present",
            f"a{cast.secretary_a.pk}": "away"}  # fmt: skip
    data.update(extra)
    return data


def test_a_branch_secretary_records_from_the_form_and_sees_the_branch_page(client, cast):
    client.force_login(branch_secretary(cast.village_a))
    url = reverse("records:meeting_new", args=[cast.village_a.pk])
    page = client.get(url).content.decode()
    assert "王建国" in page and "李秀英" in page and "签到" not in page.replace("签到表", "")
    response = client.post(url, {**_post(cast), "files": [SimpleUploadedFile("合影.png", PNG)]})
    assert response.status_code == 302 and response["Location"] == reverse(
        "records:org", args=[cast.village_a.pk]
    )
    meeting = Meeting.objects.get()
    assert (meeting.present_count, meeting.absent_count) == (1, 1)
    page = client.get(response["Location"]).content.decode()
    assert "支部党员大会" in page and "出席 1 · 缺席 1" in page and 'data-testid="quarters"' in page
    detail = client.get(reverse("records:meeting", args=[meeting.pk])).content.decode()
    assert "外出" in detail and "合影.png" in detail
    attachment = Attachment.objects.get()
    file = client.get(reverse("records:attachment", args=[meeting.pk, attachment.pk]))
    assert (
        file.status_code == 200
        and file["Content-Type"] == "image/png"
        and file["X-Content-Type-Options"] == "nosniff"
    )


def test_a_bad_form_keeps_what_was_typed_and_says_why_in_chinese(client, cast):
    client.force_login(clerk(cast.village_a))
    url = reverse("records:meeting_new", args=[cast.village_a.pk])
    response = client.post(url, _post(cast, kind="lecture", topic="党课：守初心", held_on="2099-01-01"))
    page = response.content.decode()
    assert response.status_code == 200 and "日期不能晚于今天" in page and "党课请填写授课人" in page
    assert "党课：守初心" in page and not Meeting.objects.exists()
    response = client.post(
        url, {**_post(cast), "files": [SimpleUploadedFile("x.png", b"not an image at all")]}
    )
    assert (
        response.status_code == 200 and not Meeting.objects.exists() and "文件" in response.content.decode()
    )


def test_other_subtrees_are_not_found_and_other_roles_are_refused(client, cast):
    meeting = meeting_record(actor=branch_secretary(cast.village_b, username="b_sec"), organization=cast.village_b,
                             kind="congress", held_on=date(2025, 3, 1), topic="西山的会", host="张伟",
                             marks={cast.member_b.pk: Mark()}, files=[SimpleUploadedFile("p.png", PNG)])  # fmt: skip
    attachment = Attachment.objects.get()
    own = branch_secretary(cast.village_a)
    client.force_login(own)
    for url in (
        reverse("records:org", args=[cast.village_b.pk]),
        reverse("records:org_panel", args=[cast.village_b.pk]),
        reverse("records:branches", args=[cast.county_b.pk]),
        reverse("records:meeting_new", args=[cast.village_b.pk]),
        reverse("records:meeting", args=[meeting.pk]),
        reverse("records:attachment", args=[meeting.pk, attachment.pk]),
        reverse("records:org", args=[cast.village_a2.pk]),  # a sibling branch: not theirs either
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("records:meeting", args=[meeting.pk]), {"reason": "删掉"}).status_code == 404
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    # the county organiser reads the county, enters nothing
    client.force_login(cast.county_organiser)
    assert client.get(reverse("records:org", args=[cast.village_a.pk])).status_code == 200
    assert client.get(reverse("records:meeting_new", args=[cast.village_a.pk])).status_code == 403
    assert client.get(reverse("records:org", args=[cast.county_b.pk])).status_code == 404
    # a member, a reviewer and the administrators see no branch's records
    for user in (cast.member_user, cast.reviewer, cast.sysadmin, cast.auditor):
        client.force_login(user)
        assert client.get(reverse("records:org", args=[cast.village_a.pk])).status_code == 403, user
    # the city organiser sees both counties but may not withdraw
    client.force_login(cast.city_organiser)
    assert client.get(reverse("records:meeting", args=[meeting.pk])).status_code == 200
    assert client.post(reverse("records:meeting", args=[meeting.pk]), {"reason": "删掉"}).status_code == 403
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_wrong_methods_are_refused(client, cast):
    client.force_login(branch_secretary(cast.village_a))
    for url in (reverse("records:index"), reverse("records:org", args=[cast.village_a.pk]),
                reverse("records:org_panel", args=[cast.village_a.pk]), reverse("records:branches", args=[cast.village_a.pk]),
                reverse("records:mine")):  # fmt: skip
        assert client.post(url).status_code == 405, url
    assert client.put(reverse("records:meeting_new", args=[cast.village_a.pk])).status_code == 405


def test_the_organisation_page_shows_the_panel_and_a_county_sees_the_share_of_its_branches(client, cast):
    year = timezone.localdate().year - 1
    year_of_records(cast.village_a, year)
    year_of_records(cast.village_a2, year, skip_months=(4,))
    client.force_login(cast.county_organiser)
    org_page = client.get(reverse("orgs:detail", args=[cast.county_a.pk])).content.decode()
    assert reverse("records:org_panel", args=[cast.county_a.pk]) in org_page
    panel = client.get(reverse("records:org_panel", args=[cast.county_a.pk]), {"year": year}).content.decode()
    assert "2 个党支部中 1 个全年达到频次要求（50.0%）" in panel
    page = client.get(reverse("records:org", args=[cast.county_a.pk]), {"year": year}).content.decode()
    assert "2 个党支部中 <strong>1</strong> 个" in page and "中共东湖区柳泉镇委员会" in page
    missed = client.get(
        reverse("records:branches", args=[cast.county_a.pk]), {"year": year, "status": "missed"}
    )
    text = missed.content.decode()
    assert "李集村党支部" in text and "王庄村党支部" not in text and "4月未开展" in text
    branch = client.get(reverse("records:org", args=[cast.village_a2.pk]), {"year": year}).content.decode()
    assert "第2季度 未达标" in branch and "第1季度 达标" in branch
    # the reviewer has the organisation page but not the panel
    client.force_login(cast.reviewer)
    assert (
        reverse("records:org_panel", args=[cast.county_a.pk])
        not in client.get(reverse("orgs:detail", args=[cast.county_a.pk])).content.decode()
    )


def test_the_roll_up_pages_cost_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    year = timezone.localdate().year - 1
    for branch in (cast.village_a, cast.village_a2, cast.village_b):
        year_of_records(branch, year)
    client.force_login(cast.city_organiser)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("records:org", args=[cast.city.pk]), {"year": year}).status_code == 200
    with django_assert_max_num_queries(8):
        assert (
            client.get(reverse("records:org_panel", args=[cast.city.pk]), {"year": year}).status_code == 200
        )


def test_a_member_sees_their_own_record_and_nobody_elses(client, cast):
    user = branch_secretary(cast.village_a)
    meeting_record(actor=user, organization=cast.village_a, kind="theme_day", held_on=timezone.localdate(),
                   topic="主题党日：志愿服务", host="李秀英",
                   marks={cast.member_a.pk: Mark(), cast.secretary_a.pk: Mark(False, "personal")})  # fmt: skip
    client.force_login(cast.member_user)
    page = client.get(reverse("records:mine")).content.decode()
    assert "主题党日：志愿服务" in page and "本人出席 1 次" in page and "事假" not in page
    client.force_login(cast.township_secretary)  # linked to 李秀英, who was away
    page = client.get(reverse("records:mine")).content.decode()
    assert "事假" in page and "本人出席 0 次" in page
    client.force_login(cast.county_organiser)  # no member record of their own
    assert client.get(reverse("records:mine")).status_code == 403


def test_in_a_running_year_the_last_ended_quarter_speaks_for_the_subtree(client, cast):
    import time_machine

    year_of_records(cast.village_a, 2026, until_month=9)
    year_of_records(cast.village_a2, 2026, until_month=9, skip_months=(8,))
    client.force_login(cast.county_organiser)
    with time_machine.travel(date(2026, 11, 20)):
        panel = client.get(reverse("records:org_panel", args=[cast.county_a.pk])).content.decode()
        assert "第3季度：2 个党支部中 1 个达到频次要求（50.0%）；全年进行中" in panel
        page = client.get(reverse("records:org", args=[cast.county_a.pk])).content.decode()
        assert "第3季度达标" in page and "全年（进行中）" in page
        branch = client.get(reverse("records:org", args=[cast.village_a.pk])).content.decode()
        assert "第3季度 达标" in branch and "第4季度 进行中" in branch
        assert "已结束的季度均已达到要求，全年进行中" in branch and "10月未开展" not in branch
        short = client.get(reverse("records:org", args=[cast.village_a2.pk])).content.decode()
        assert "主题党日每月 1 次：8月未开展" in short and "10月" not in short and "全年不足" not in short
        listed = client.get(reverse("records:branches", args=[cast.county_a.pk])).content.decode()
        assert "进行中" in listed and "未达标" not in listed.replace("未达标</option>", "")
    with time_machine.travel(date(2027, 1, 5)):
        client.force_login(cast.county_organiser)  # the session timed out over the holidays
        panel = client.get(
            reverse("records:org_panel", args=[cast.county_a.pk]), {"year": 2026}
        ).content.decode()
        assert "2 个党支部中 0 个全年达到频次要求（0.0%）" in panel  # the fourth quarter was never held


def test_a_meetings_attendance_is_listed_by_name_whatever_order_it_was_written_in(client, cast):
    """The default ordering stays on the attendance's own columns; the page names its order."""
    from shuzhi.members.models import Member

    user = branch_secretary(cast.village_a)
    marks = {cast.secretary_a.pk: Mark(), cast.member_a.pk: Mark()}
    meeting = meeting_record(actor=user, organization=cast.village_a, kind="congress", held_on=timezone.localdate(),
                             topic="学习", host="李秀英", marks=marks)  # fmt: skip
    first, second = (a.member_id for a in meeting.attendance.order_by("id"))
    Member.objects.filter(pk=first).update(name="钱二")
    Member.objects.filter(pk=second).update(name="艾一")  # sorts before 钱 by code point
    client.force_login(user)
    page = client.get(reverse("records:meeting", args=[meeting.pk])).content.decode()
    assert page.index("艾一") < page.index("钱二")


def test_a_member_who_left_is_off_the_roster_a_meeting_is_recorded_against(client, cast):
    from shuzhi.lifecycle.services import departure_record

    secretary = branch_secretary(cast.village_a)
    url = reverse("records:meeting_new", args=[cast.village_a.pk])
    client.force_login(secretary)
    assert cast.member_a.name in client.get(url).content.decode()
    departure_record(actor=cast.county_organiser, member=cast.member_a, kind="died", left_on=date(2026, 3, 1))
    page = client.get(url).content.decode()
    assert cast.secretary_a.name in page and cast.member_a.name not in page
