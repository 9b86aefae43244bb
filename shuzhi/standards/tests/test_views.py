from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from shuzhi.standards import services
from shuzhi.standards.models import Check, Rating
from shuzhi.testing.factories import OrganizationFactory
from shuzhi.testing.records import PNG, branch_secretary, clerk

pytestmark = pytest.mark.django_db
YEAR = date.today().year


@pytest.fixture
def rated(cast, rural, fixed_source):
    fixed_source[cast.village_a.pk] = Decimal(90)
    services.ratings_compute(actor=cast.county_organiser, root=cast.county_a, year=YEAR)
    return Rating.objects.get(organization=cast.village_a, year=YEAR)


def url(name, *args):
    return reverse(f"standards:{name}", args=args) + f"?year={YEAR}"


def test_the_county_sees_the_distribution_of_its_branches(client, cast, rated):
    client.force_login(cast.county_organiser)
    response = client.get(url("org", cast.county_a.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert cast.township_a.name in body and "未定级" in body and cast.village_a.name in body


def test_without_a_year_the_pages_open_on_the_newest_year_rated(client, cast, rural, fixed_source):
    fixed_source[cast.village_a.pk] = Decimal(90)
    services.ratings_compute(actor=cast.county_organiser, root=cast.county_a, year=YEAR - 1)
    client.force_login(cast.county_organiser)
    for name, pk in (
        ("org", cast.county_a.pk),
        ("published", cast.county_a.pk),
        ("branch", cast.village_a.pk),
    ):
        response = client.get(reverse(f"standards:{name}", args=[pk]))
        assert response.context["year"] == YEAR - 1, name
    client.force_login(cast.outsider)  # the neighbouring county, never rated: the current year
    response = client.get(reverse("standards:org", args=[cast.outsider.organization.pk]))
    assert response.context["year"] == YEAR


def test_the_org_page_reads_a_fixed_number_of_queries(client, cast, rated, django_assert_num_queries):
    client.force_login(cast.county_organiser)
    client.get(url("org", cast.county_a.pk))
    with django_assert_num_queries(10):
        assert client.get(url("org", cast.county_a.pk)).status_code == 200
    for n in range(3):  # more branches, rated: the same queries
        OrganizationFactory(name=f"新村{n}党支部", parent=cast.township_a)
    services.ratings_compute(actor=cast.county_organiser, root=cast.county_a, year=YEAR)
    with django_assert_num_queries(10):
        assert "新村2党支部" in client.get(url("org", cast.county_a.pk)).content.decode()


def test_pages_outside_the_viewer_s_subtree_are_not_found(client, cast, rated):
    client.force_login(cast.outsider)
    assert client.get(url("org", cast.county_a.pk)).status_code == 404
    assert client.get(url("branch", cast.village_a.pk)).status_code == 404
    assert client.get(url("published", cast.county_a.pk)).status_code == 404


def test_roles_without_records_are_forbidden(client, cast, rated):
    for user in (cast.member_user, cast.reviewer, cast.auditor):
        client.force_login(user)
        assert client.get(url("org", cast.city.pk)).status_code == 403
        assert client.get(url("branch", cast.village_a.pk)).status_code == 403


def test_wrong_methods_are_refused(client, cast, rated):
    client.force_login(cast.county_organiser)
    assert client.post(url("org", cast.county_a.pk)).status_code == 405
    assert client.get(url("compute", cast.county_a.pk)).status_code == 405
    assert client.get(url("confirm", cast.village_a.pk)).status_code == 405
    assert client.get(url("publish", cast.county_a.pk)).status_code == 405


def test_a_branch_keeper_fills_an_item_with_a_photo_and_submits(client, cast, rated, rural):
    place = rural[2]
    client.force_login(clerk(cast.village_a))
    page = client.get(url("branch", cast.village_a.pk))
    assert page.status_code == 200 and "填写自评" in page.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url("fill", cast.village_a.pk, place.pk), {
        f"f{place.pk}-claimed": "on", f"f{place.pk}-note": "",
        f"f{place.pk}-photo": SimpleUploadedFile("阵地.png", PNG, content_type="image/png"),
    })  # fmt: skip
    assert response.status_code == 302
    check = Check.objects.get(rating=rated, item=place)
    assert check.claimed and check.photo_kind == "png"
    photo = client.get(reverse("standards:photo", args=[cast.village_a.pk, check.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert client.post(url("submit", cast.village_a.pk)).status_code == 302
    rated.refresh_from_db()
    assert rated.status == Rating.Status.SUBMITTED and rated.score == 70


def test_a_refused_fill_keeps_what_was_typed(client, cast, rated, rural):
    place = rural[2]
    client.force_login(branch_secretary(cast.village_a))
    response = client.post(url("fill", cast.village_a.pk, place.pk), {f"f{place.pk}-claimed": "on",
                                                                      f"f{place.pk}-note": "   "})  # fmt: skip
    assert response.status_code == 200
    assert "做法或上传照片" in response.content.decode()
    assert not Check.objects.exists()


def test_the_township_cannot_fill_and_the_branch_cannot_judge(client, cast, rated, rural):
    place = rural[2]
    client.force_login(cast.township_secretary)
    assert client.post(url("fill", cast.village_a.pk, place.pk), {}).status_code == 403
    client.force_login(branch_secretary(cast.village_a))
    assert client.post(url("verdict", cast.village_a.pk, place.pk), {}).status_code == 403
    assert client.post(url("confirm", cast.village_a.pk), {}).status_code == 403


def test_the_township_changes_an_item_and_confirms_with_the_reason_kept_on_error(client, cast, rated, rural):
    _standard, computed, place, _role = rural
    keeper = branch_secretary(cast.village_a)
    services.check_fill(actor=keeper, rating=rated, item_id=place.pk, claimed=True, note="已上墙")
    services.rating_submit(actor=keeper, rating=rated)
    client.force_login(cast.township_secretary)
    page = client.get(url("branch", cast.village_a.pk)).content.decode()
    assert "确认等次" in page and "上级认定（附理由）" in page
    response = client.post(url("verdict", cast.village_a.pk, computed.pk),
                           {f"v{computed.pk}-verdict": "0", f"v{computed.pk}-reason": "记录有补写"})  # fmt: skip
    assert response.status_code == 302
    rated.refresh_from_db()
    assert rated.score == 30 and rated.rank == 0
    response = client.post(url("confirm", cast.village_a.pk), {"rank": "2", "reason": ""})
    assert response.status_code == 200
    assert "请写明理由" in response.content.decode()
    response = client.post(url("confirm", cast.village_a.pk), {"rank": "2", "reason": "已现场整改"})
    assert response.status_code == 302
    rated.refresh_from_db()
    assert (rated.status, rated.final_rank, rated.reason) == (Rating.Status.CONFIRMED, 2, "已现场整改")


def test_the_county_publishes_and_everyone_below_reads_the_list(client, cast, rated):
    keeper = branch_secretary(cast.village_a)
    services.rating_submit(actor=keeper, rating=rated)
    services.rating_confirm(actor=cast.township_secretary, rating=rated, rank=rated.rank, reason="")
    client.force_login(cast.county_organiser)
    response = client.post(url("publish", cast.county_a.pk))
    assert response.status_code == 302
    client.force_login(keeper)
    page = client.get(url("published", cast.village_a.pk))
    assert page.status_code == 200
    client.force_login(cast.township_secretary)
    page = client.get(url("published", cast.township_a.pk)).content.decode()
    assert cast.village_a.name in page


def test_the_standard_page_shows_items_under_the_five_headings(client, cast, rural):
    client.force_login(cast.county_organiser)
    page = client.get(reverse("standards:standard", args=[rural[0].pk])).content.decode()
    assert "组织生活好" in page and "测试数据 ≥ 80" in page


def test_the_index_sends_a_branch_to_its_checklist_and_others_to_their_organisation(client, cast):
    client.force_login(clerk(cast.village_a))
    assert client.get(reverse("standards:index"))["Location"] == reverse(
        "standards:branch", args=[cast.village_a.pk]
    )
    client.force_login(cast.county_organiser)
    assert client.get(reverse("standards:index"))["Location"] == reverse(
        "standards:org", args=[cast.county_a.pk]
    )


def test_the_branch_list_filters_by_level_and_status(client, cast, rated):
    keeper = branch_secretary(cast.village_a)
    services.rating_submit(actor=keeper, rating=rated)
    services.rating_confirm(actor=cast.township_secretary, rating=rated, rank=2, reason="复核后定为二星")
    client.force_login(cast.county_organiser)
    rows = client.get(url("org", cast.county_a.pk) + "&level=二星").context["page"].object_list
    assert [(r.organization, effective, proposed) for r, effective, proposed in rows] == [
        (cast.village_a, "二星", "未定级")
    ]
    rows = client.get(url("org", cast.county_a.pk) + "&level=未定级").context["page"].object_list
    assert [r.organization for r, _e, _p in rows] == [cast.village_a2]  # 王庄村 is 二星 once confirmed
    rows = client.get(url("org", cast.county_a.pk) + "&status=open").context["page"].object_list
    assert [r.organization for r, _e, _p in rows] == [cast.village_a2]
