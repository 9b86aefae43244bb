from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuzhi.core import facts
from shuzhi.core.models import AuditEvent
from shuzhi.members.models import Member
from shuzhi.standards import selectors, services
from shuzhi.standards.models import Participation, Training
from shuzhi.testing.factories import OrganizationFactory
from shuzhi.testing.records import branch_secretary, clerk
from shuzhi.testing.sheets import xlsx

pytestmark = pytest.mark.django_db
YEAR = date.today().year - 1
HEADERS = ["姓名", "培训名称", "类型", "日期", "学时"]


def record(cast, actor, *, hours, members, title="全会精神专题培训", on=None):
    return services.training_record(actor=actor, organization=cast.village_a, kind="special", title=title,
                                    held_on=on or date(YEAR, 5, 10), hours=Decimal(hours), member_ids=members)  # fmt: skip


def sheet(rows, name="培训名单.xlsx"):
    return SimpleUploadedFile(name, xlsx(rows, headers=HEADERS))


def test_hours_add_up_per_member_against_the_norms(cast):
    keeper = branch_secretary(cast.village_a)
    record(cast, keeper, hours=24, members=[cast.member_a.pk, cast.secretary_a.pk])
    record(cast, keeper, hours=8, members=[cast.member_a.pk, cast.secretary_a.pk], title="党课")
    rows = {r.member.name: r for r in selectors.branch_hours(org=cast.village_a, year=YEAR)}
    # 李秀英 is the township's secretary: 56 hours, not 32
    assert (rows["王建国"].hours, rows["王建国"].norm, rows["王建国"].done) == (Decimal(32), 32, True)
    assert (rows["李秀英"].hours, rows["李秀英"].norm, rows["李秀英"].done) == (Decimal(32), 56, False)
    assert AuditEvent.objects.filter(action="standards.training_record").count() == 2


def test_a_training_without_participants_or_with_an_outsider_is_refused(cast):
    keeper = branch_secretary(cast.village_a)
    with pytest.raises(ValidationError, match="请选择"):
        record(cast, keeper, hours=2, members=[])
    with pytest.raises(ValidationError, match="本单位及下级"):
        record(cast, keeper, hours=2, members=[cast.member_b.pk])
    with pytest.raises(ValidationError, match="晚于今天"):
        record(cast, keeper, hours=2, members=[cast.member_a.pk], on=date.today() + timedelta(days=1))
    assert not Training.objects.exists()


def test_only_keepers_of_the_subtree_record_trainings(cast):
    with pytest.raises(PermissionDenied):
        record(cast, cast.outsider, hours=2, members=[cast.member_a.pk])
    with pytest.raises(PermissionDenied):
        record(cast, cast.member_user, hours=2, members=[cast.member_a.pk])


def test_a_training_list_is_imported_grouped_by_training(cast):
    keeper = branch_secretary(cast.village_a)
    upload = sheet([["王建国", "乡村振兴专题轮训", "集中轮训", f"{YEAR}-03-02", 16],
                    ["李秀英", "乡村振兴专题轮训", "集中轮训", f"{YEAR}-03-02", 16],
                    ["王建国", "学习强国专题", "网络学习", f"{YEAR}-04-01", "6学时"]])  # fmt: skip
    assert services.trainings_import(actor=keeper, organization=cast.village_a, upload=upload) == (2, 3)
    assert Training.objects.get(title="学习强国专题").hours == Decimal(6)
    # the same list again adds nothing
    again = sheet([["王建国", "乡村振兴专题轮训", "集中轮训", f"{YEAR}-03-02", 16]])
    assert services.trainings_import(actor=keeper, organization=cast.village_a, upload=again) == (0, 0)


def test_a_bad_list_is_refused_row_by_row_and_nothing_is_written(cast):
    keeper = branch_secretary(cast.village_a)
    upload = sheet([["王建国", "乡村振兴专题轮训", "集中轮训", f"{YEAR}-03-02", 16],
                    ["张伟", "乡村振兴专题轮训", "集中轮训", f"{YEAR}-03-02", 16],
                    ["李秀英", "乡村振兴专题轮训", "集中轮训", f"{YEAR}-03-02", 12],
                    ["王建国", "党课", "讲座", f"{YEAR}-03-09", 0]])  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.trainings_import(actor=keeper, organization=cast.village_a, upload=upload)
    messages = error.value.messages
    assert "第 3 行 姓名：“张伟”不在本单位名册中（或名册中有同名党员）。" in messages
    assert any(m.startswith("第 5 行 类型：“讲座”") for m in messages)
    assert "第 5 行 学时：学时应在 0.5 到 100 之间。" in messages
    assert any(m.startswith("第 4 行：与第 2 行是同一培训") for m in messages)
    assert not Training.objects.exists() and not Participation.objects.exists()


def test_a_list_without_the_needed_columns_says_which(cast):
    keeper = branch_secretary(cast.village_a)
    upload = SimpleUploadedFile("x.xlsx", xlsx([["王建国", "党课"]], headers=["姓名", "培训名称"]))
    with pytest.raises(ValidationError, match="表头缺少：日期、学时"):
        services.trainings_import(actor=keeper, organization=cast.village_a, upload=upload)


def test_education_rate_is_the_share_of_members_at_their_norm_and_no_members_is_no_data(cast):
    keeper = branch_secretary(cast.village_a)
    record(cast, keeper, hours=32, members=[cast.member_a.pk])
    lonely = OrganizationFactory(name="空支部", parent=cast.township_b)  # no members
    subjects = [facts.Subject(id=o.pk, path=o.path) for o in (cast.village_a, cast.township_a, lonely)]
    found = facts.collect("standards.education_rate", year=YEAR, subjects=subjects)
    assert found[cast.village_a.pk].value == Decimal("50.00")  # 王建国 of 王建国 and 李秀英
    assert found[cast.township_a.pk].value == Decimal("33.33")  # and 赵晨 of 李集村
    assert found[lonely.pk].value is None


def test_the_member_sees_their_own_hours_only(client, cast):
    keeper = branch_secretary(cast.village_a)
    record(cast, keeper, hours=12, members=[cast.member_a.pk])
    record(cast, keeper, hours=3, members=[cast.secretary_a.pk], title="书记专题")
    client.force_login(cast.member_user)
    page = client.get(reverse("standards:education_mine") + f"?year={YEAR}").content.decode()
    assert "累计 <strong>12.0</strong> 学时，年度要求 32 学时" in page and "书记专题" not in page
    client.force_login(cast.county_organiser)  # no member record
    assert client.get(reverse("standards:education_mine")).status_code == 403


def test_the_pages_follow_roles_scope_and_methods(client, cast):
    url = reverse("standards:education", args=[cast.township_a.pk]) + f"?year={YEAR}"
    client.force_login(cast.county_organiser)
    response = client.get(url)
    assert response.status_code == 200 and cast.village_a.name in response.content.decode()
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.member_user)
    assert client.get(url).status_code == 403
    client.force_login(cast.township_secretary)  # a secretary keeps records: may record below
    assert client.get(reverse("standards:training_new", args=[cast.village_a.pk])).status_code == 200
    client.force_login(clerk(cast.village_a))
    assert client.get(reverse("standards:training_new", args=[cast.township_a.pk])).status_code == 404
    assert client.put(reverse("standards:training_new", args=[cast.village_a.pk])).status_code == 405


def test_the_form_records_a_training_and_keeps_the_input_on_error(client, cast):
    client.force_login(branch_secretary(cast.village_a))
    url = reverse("standards:training_new", args=[cast.village_a.pk])
    data = {"kind": "lecture", "title": "七一党课", "held_on": f"{YEAR}-07-01", "hours": "2", "members": []}
    response = client.post(url, data)
    assert response.status_code == 200 and "七一党课" in response.content.decode()
    assert not Training.objects.exists()
    data["members"] = [cast.member_a.pk, cast.secretary_a.pk]
    assert client.post(url, data).status_code == 302
    assert Training.objects.get().participations.count() == 2


def test_the_import_page_lists_every_bad_row(client, cast):
    client.force_login(branch_secretary(cast.village_a))
    url = reverse("standards:training_import", args=[cast.village_a.pk])
    response = client.post(url, {"file": sheet([["无此人", "党课", "党课", f"{YEAR}-03-02", 2]])})
    assert response.status_code == 200
    assert "第 2 行 姓名：“无此人”不在本单位名册中" in response.content.decode()
    response = client.post(url, {"file": sheet([["王建国", "党课", "党课", f"{YEAR}-03-02", 2]])})
    assert response.status_code == 302
    assert Member.objects.get(pk=cast.member_a.pk)  # still there
    assert Training.objects.get().participations.get().member_id == cast.member_a.pk
