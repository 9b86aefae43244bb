"""Importing the organisation tree: new organisations find their place (under existing ones or
under rows of the same file), a second import updates instead of duplicating, and nothing moves
or leaves the importer's subtree."""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.exchange import services
from shuzhi.exchange.models import ExchangeJob
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.testing.factories import make_id_number
from shuzhi.testing.jobs import run_queued_jobs
from shuzhi.testing.sheets import MEMBER_HEADERS, ORG_HEADERS, member_row, xlsx

UPLOAD = reverse("exchange:upload", args=["orgs"])
NO_PROBLEMS = ([], [], [], [], [])


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _org(code, name, parent, *, kind="党支部", level="村社区", field="农村", secretary="", since=None):
    return [code, name, kind, level, field, parent, secretary, since]


def _township(*, secretary="", since=None):
    """The row of the cast's 柳泉镇 as it stands."""
    return _org(
        "C01001",
        "中共东湖区柳泉镇委员会",
        "C01",
        kind="党委",
        level="乡镇街道",
        secretary=secretary,
        since=since,
    )


def _import(client, user, rows, *, kind="orgs", headers=ORG_HEADERS, content=None):
    """Upload as `user`, run the worker, and return the finished job and its page."""
    client.force_login(user)
    content = content if content is not None else xlsx(rows, headers=headers)
    response = client.post(
        reverse("exchange:upload", args=[kind]), {"file": SimpleUploadedFile("党组织.xlsx", content)}
    )
    assert response.status_code == 302
    run_queued_jobs()
    job = ExchangeJob.objects.latest("id")
    assert response["Location"] == reverse("exchange:job", args=[job.pk])
    return job, client.get(response["Location"])


def _error(row, column, letter, message):
    return {"row": row, "column": column, "letter": letter, "message": message}


def _without_values(errors):
    return [{k: v for k, v in error.items() if k != "value"} for error in errors]


def _fresh(org):
    return Organization.objects.get(pk=org.pk)


NEW_TREE = [
    # a branch whose parent is a row further down
    _org("C01002001", "新河村党支部", "C01002"),
    _org("C01002", "中共东湖区新河镇委员会", "C01", kind="党委", level="乡镇街道"),
    # under an existing organisation, given by its name
    _org("C01001003", "赵庄村党支部", "中共东湖区柳泉镇委员会"),
    # under a new one, by a path of names
    _org("C01002002", "钱湾村党支部", "中共云州市东湖区委员会/中共东湖区新河镇委员会"),
]


def test_new_organisations_are_placed_under_existing_ones_and_under_each_other(client, cast):
    job, page = _import(client, cast.county_organiser, NEW_TREE)

    assert job.status == ExchangeJob.Status.SUCCEEDED, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (4, 0, 0)
    assert "导入成功：共 4 行，新增 4，更新 0，未变 0。" in page.content.decode()
    assert Organization.objects.find_problems() == NO_PROBLEMS
    xinhe = Organization.objects.get(code="C01002")
    code_of = dict(Organization.objects.values_list("path", "code"))
    parents = {
        code: code_of[path[: -Organization.steplen]]
        for path, code in code_of.items()
        if code in ("C01002", "C01002001", "C01001003", "C01002002")
    }
    assert parents == {"C01002": "C01", "C01002001": "C01002", "C01001003": "C01001", "C01002002": "C01002"}
    assert (xinhe.depth, xinhe.numchild, xinhe.name, xinhe.kind, xinhe.level, xinhe.field) == (
        3, 2, "中共东湖区新河镇委员会", "committee", "township", "rural",
    )  # fmt: skip
    assert Organization.objects.get(code="C01002001").depth == 4
    assert (_fresh(cast.county_a).numchild, _fresh(cast.township_a).numchild) == (2, 3)
    assert _fresh(cast.county_a).total_organizations == 8
    assert _fresh(cast.city).total_organizations == 12
    assert _fresh(cast.county_b).total_organizations == 3
    event = AuditEvent.objects.get(action="orgs.import")
    assert (event.actor, event.changes["created"], event.changes["rows"]) == (cast.county_organiser, 4, 4)


def test_importing_the_same_tree_again_changes_nothing(client, cast):
    _import(client, cast.county_organiser, NEW_TREE)
    paths = dict(Organization.objects.values_list("code", "path"))

    job, page = _import(client, cast.county_organiser, NEW_TREE)

    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 4)
    assert "导入成功：共 4 行，新增 0，更新 0，未变 4。" in page.content.decode()
    assert dict(Organization.objects.values_list("code", "path")) == paths
    assert Organization.objects.find_problems() == NO_PROBLEMS
    assert [
        e.changes["unchanged"] for e in AuditEvent.objects.filter(action="orgs.import").order_by("seq")
    ] == [0, 4]


def test_a_changed_name_is_updated_in_place(client, cast):
    rows = [
        _org("C01001001", "王庄村党总支", "C01001", kind="党总支"),
        _org("C01001002", "李集村党支部", "C01001"),
    ]

    job, _page = _import(client, cast.county_organiser, rows)

    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1), job.errors
    village = _fresh(cast.village_a)
    assert (village.name, village.kind, village.path) == (
        "王庄村党总支",
        "general_branch",
        cast.village_a.path,
    )
    assert Organization.objects.count() == 8


def test_an_organisation_cannot_be_moved_to_another_parent_by_import(client, cast):
    rows = [
        _org("C01002", "中共东湖区新河镇委员会", "C01", kind="党委", level="乡镇街道"),
        _org("C01001001", "王庄村党支部", "C01002"),
    ]

    job, page = _import(client, cast.county_organiser, rows)

    message = "不能通过导入改变隶属关系（现上级组织编码为 C01001）。"
    assert _without_values(job.errors) == [_error(3, "上级组织", "F", message)]
    assert message in page.content.decode()
    assert _fresh(cast.village_a).path == cast.village_a.path
    assert not Organization.objects.filter(code="C01002").exists()


def test_a_code_used_outside_the_importers_subtree_is_refused(client, cast):
    job, page = _import(client, cast.county_organiser, [_org("C02001001", "张楼村党支部", "C01001")])

    message = "组织编码“C02001001”已被您管理范围以外的组织使用。"
    assert job.errors == [{**_error(2, "组织编码", "A", message), "value": "C02001001"}]
    assert message in page.content.decode()
    assert _fresh(cast.village_b).path == cast.village_b.path
    assert Organization.objects.count() == 8


def test_a_new_organisation_cannot_be_put_under_the_other_county(client, cast):
    job, _page = _import(client, cast.county_organiser, [_org("C02001009", "刘庄村党支部", "C02001")])

    assert _without_values(job.errors) == [
        _error(
            2,
            "上级组织",
            "F",
            "找不到“C02001”：没有这个编码或名称路径的党组织，或它不在您的管理范围内。",
        )
    ]
    assert _fresh(cast.township_b).numchild == 1
    assert not Organization.objects.filter(code="C02001009").exists()


@pytest.mark.parametrize(
    ("row", "error"),
    [
        (
            _org("C01003", "东湖村党支部", "C01"),
            ("层级", "D", "上级组织的层级下不能设“村社区”层级的党组织。"),
        ),
        (
            _org("C01001001001", "第一党小组", "C01001001"),
            ("上级组织", "F", "上级组织是党支部，下面不能再设党组织。"),
        ),
        (_org("C01009", "无上级党支部", ""), ("上级组织", "F", "新建组织须填写上级组织。")),
        (
            _org("C01 009", "某村党支部", "C01001"),
            ("组织编码", "A", "组织编码只能包含字母、数字、下划线和连字符。"),
        ),
        (
            _org("C01001", "中共东湖区柳泉镇委员会", "C01", kind="党支部", level="乡镇街道"),
            ("组织类别", "C", "该组织下设有党组织，不能改为党支部。"),
        ),
        (
            _org("C01", "中共云州市东湖区委员会", "", kind="党工委", level="县区", field="机关"),
            ("层级", "D", "不能通过导入改变本单位的类别或层级。"),
        ),
        (
            _org("C01009", "某村党支部", "C01001", level="村"),
            ("层级", "D", "只能填：省、市、县区、乡镇街道、村社区、机关企事业单位。"),
        ),
        (
            _org("C01009", "某村党支部", "C01001", since="2021-02-30"),
            ("书记任职日期", "H", "“2021-02-30”不是存在的日期。"),
        ),
    ],
    ids=[
        "a village directly under a county",
        "anything under a branch",
        "a new organisation without a parent",
        "a code with a space",
        "a committee with branches made a branch",
        "the importer's own kind",
        "a level not in the list",
        "a date that does not exist",
    ],
)
def test_each_mistake_in_the_tree_is_reported_and_nothing_is_written(client, cast, row, error):
    before = list(Organization.objects.values_list("code", "name", "kind", "level", "path"))

    job, page = _import(
        client,
        cast.county_organiser,
        [_org("C01004", "东湖街道党工委", "C01", kind="党工委", level="乡镇街道"), row],
    )

    assert job.status == ExchangeJob.Status.REJECTED
    assert _without_values(job.errors) == [_error(3, *error)]
    assert error[2] in page.content.decode()
    assert list(Organization.objects.values_list("code", "name", "kind", "level", "path")) == before
    assert not AuditEvent.objects.filter(action="orgs.import").exists()


def test_the_same_code_twice_in_a_file_is_reported_on_the_second_row(client, cast):
    rows = [_org("C01001003", "赵庄村党支部", "C01001"), _org("C01001003", "钱庄村党支部", "C01001")]

    job, _page = _import(client, cast.county_organiser, rows)

    assert _without_values(job.errors) == [_error(3, "组织编码", "A", "与第 2 行的组织编码重复。")]
    assert not Organization.objects.filter(code="C01001003").exists()


def test_two_new_organisations_that_are_each_others_parent_are_refused(client, cast):
    rows = [
        _org("C01004", "甲党委", "C01005", kind="党委", level="乡镇街道"),
        _org("C01005", "乙党委", "C01004", kind="党委", level="乡镇街道"),
    ]

    job, _page = _import(client, cast.county_organiser, rows)

    message = "上级组织的上级关系无法确定（可能循环引用）。"
    assert _without_values(job.errors) == [
        _error(2, "上级组织", "F", message),
        _error(3, "上级组织", "F", message),
    ]
    assert Organization.objects.count() == 8


# ---- secretaries -------------------------------------------------------------------------------


def test_a_secretary_is_named_by_id_number_for_an_existing_organisation(client, cast):
    row = _township(secretary=cast.member_a.id_number, since=date(2024, 1, 1))

    job, _page = _import(client, cast.county_organiser, [row])

    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 0), job.errors
    township = _fresh(cast.township_a)
    assert (township.secretary, township.secretary_since) == (cast.member_a, date(2024, 1, 1))


def test_the_current_secretary_named_again_is_unchanged(client, cast):
    row = _township(secretary=cast.secretary_a.id_number, since=date(2021, 3, 1))

    job, _page = _import(client, cast.county_organiser, [row])

    assert (job.updated_count, job.unchanged_count) == (0, 1), job.errors
    assert _fresh(cast.township_a).secretary == cast.secretary_a


def test_a_secretary_for_a_new_organisation_must_wait_for_the_roster(client, cast):
    rows = [_org("C01001003", "赵庄村党支部", "C01001", secretary=cast.member_a.id_number)]

    job, page = _import(client, cast.county_organiser, rows)

    message = "新建的组织还没有党员；请先导入党员名册，再填写书记。"
    assert _without_values(job.errors) == [_error(2, "书记身份证号", "G", message)]
    assert message in page.content.decode()
    assert not Organization.objects.filter(code="C01001003").exists()


def test_a_secretary_from_outside_the_organisation_is_refused(client, cast):
    rows = [_org("C01001002", "李集村党支部", "C01001", secretary=cast.member_a.id_number)]

    job, _page = _import(client, cast.county_organiser, rows)

    message = "本组织及下级组织中没有该身份证号的党员。"
    number = cast.member_a.id_number
    assert job.errors == [
        {**_error(2, "书记身份证号", "G", message), "value": number[:3] + "*" * 11 + number[-4:]}
    ]
    assert _fresh(cast.village_a2).secretary is None


def test_a_new_branch_gets_its_roster_and_then_its_secretary(client, cast):
    branch = _org("C01001003", "赵庄村党支部", "C01001")
    first, _page = _import(client, cast.county_organiser, [branch])
    number = make_id_number(date(1979, 9, 9), "F")
    roster = [member_row("钱秀兰", number, "C01001003", gender="女")]
    second, _page = _import(client, cast.county_organiser, roster, kind="members", headers=MEMBER_HEADERS)

    third, _page = _import(client, cast.county_organiser, [[*branch[:6], number, date(2025, 1, 1)]])

    assert [job.status for job in (first, second, third)] == [ExchangeJob.Status.SUCCEEDED] * 3, third.errors
    new = Organization.objects.get(code="C01001003")
    assert (new.secretary, new.secretary_since) == (Member.objects.get(name="钱秀兰"), date(2025, 1, 1))
    assert (new.member_count, _fresh(cast.township_a).total_members) == (1, 4)


# ---- round trip and access ---------------------------------------------------------------------


def _exported_tree(user, root) -> bytes:
    target = BytesIO()
    services.organizations_export(viewer=user, root=root, target=target)
    return target.getvalue()


def test_the_city_organisers_exported_tree_imports_back_unchanged(client, cast):
    job, _page = _import(
        client, cast.city_organiser, None, content=_exported_tree(cast.city_organiser, cast.city)
    )

    assert (job.status, job.unchanged_count, job.created_count, job.updated_count) == (
        "succeeded",
        8,
        0,
        0,
    ), job.errors
    assert Organization.objects.find_problems() == NO_PROBLEMS


def test_the_county_organisers_exported_tree_imports_back_unchanged(client, cast):
    content = _exported_tree(cast.county_organiser, cast.county_a)

    job, _page = _import(client, cast.county_organiser, None, content=content)

    assert job.errors == []
    assert (job.status, job.unchanged_count) == (ExchangeJob.Status.SUCCEEDED, 4)


@pytest.mark.parametrize("who", ["township_secretary", "reviewer", "sysadmin", "member_user"])
def test_people_who_do_not_manage_organisations_may_not_upload(client, cast, who):
    client.force_login(getattr(cast, who))

    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile("党组织.xlsx", xlsx(NEW_TREE, headers=ORG_HEADERS))}
    )

    assert response.status_code == 403
    assert not ExchangeJob.objects.exists()
    assert not Organization.objects.filter(code="C01002").exists()


def test_an_anonymous_tree_upload_is_sent_to_log_in(client, cast):
    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile("党组织.xlsx", xlsx(NEW_TREE, headers=ORG_HEADERS))}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not ExchangeJob.objects.exists()


def test_the_tree_upload_address_takes_only_post(client, cast):
    client.force_login(cast.county_organiser)

    assert client.get(UPLOAD).status_code == 405
    assert client.put(UPLOAD).status_code == 405
    assert not ExchangeJob.objects.exists()
