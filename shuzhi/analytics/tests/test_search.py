"""The search box: jieba words, simplified and traditional the same, ranked, snippets marked,
scoped like the pages it links to. Runs on SQLite (FTS5) in the first pass and on PostgreSQL
(tsvector) in the second."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shuzhi.analytics import registry, services
from shuzhi.analytics.registry import Kind, Source
from shuzhi.analytics.selectors import search
from shuzhi.orgs.models import Organization
from shuzhi.rectification.models import Item
from shuzhi.reports.services import report_save
from shuzhi.testing.rectification import published_cycle


def _titles(user, query):
    return [hit.document.title for hit in search(viewer=user, query=query)]


def test_a_traditional_query_finds_the_simplified_report_and_marks_the_words(cast, copied):
    services.index_refresh()
    hits = search(viewer=cast.county_organiser, query="黨群服務中心")
    assert [hit.document.object_id for hit in hits] == [copied.report_a.pk]
    assert "<mark>党群服务中心</mark>" in hits[0].snippet or "<mark>党群</mark>" in hits[0].snippet
    assert hits[0].url == reverse("reports:detail", args=[copied.report_a.pk])


def test_a_simplified_query_finds_text_written_in_traditional_and_shows_it_as_written(cast, copied):
    services.index_refresh()
    hits = search(viewer=cast.city_organiser, query="后备干部 跟班学习")
    assert {hit.document.object_id for hit in hits} == {copied.report_a.pk, copied.report_b.pk}
    snippet = next(hit.snippet for hit in hits if hit.document.object_id == copied.report_a.pk)
    assert "<mark>後備</mark>" in snippet or "<mark>後備幹部</mark>" in snippet


def test_search_shows_only_what_the_user_may_read(cast, copied):
    services.index_refresh()
    assert len(_titles(cast.city_organiser, "后备干部")) == 2
    assert _titles(cast.county_organiser, "后备干部") == [
        f"{cast.township_a.name} {copied.cycle_a.year}年度述职报告"
    ]
    assert _titles(cast.outsider, "后备干部") == [f"{cast.township_b.name} {copied.cycle_b.year}年度述职报告"]
    assert len(_titles(copied.secretary_b, "后备干部")) == 1
    assert _titles(cast.member_user, "后备干部") == []
    assert _titles(cast.sysadmin, "后备干部") == []


def test_the_more_relevant_text_ranks_first(cast, copied):
    report_save(
        actor=copied.secretary_b,
        report=copied.report_b,
        sections={"achievements": "软弱涣散村党组织整顿：整顿软弱涣散村3个，软弱涣散问题逐一销号。"},
    )
    services.index_refresh()
    hits = search(viewer=cast.city_organiser, query="软弱涣散")
    assert [hit.document.object_id for hit in hits] == [copied.report_b.pk, copied.report_a.pk]


def test_on_postgresql_only_the_newest_matches_the_viewer_may_read_are_ranked(cast, copied, monkeypatch):
    from django.db import connection

    from shuzhi.analytics import selectors

    if connection.vendor != "postgresql":
        pytest.skip("FTS5 ranks every match from its own index")
    services.index_refresh()
    assert len(_titles(cast.city_organiser, "后备干部")) == 2
    monkeypatch.setattr(selectors, "RANKED", 1)
    newest = max(copied.report_a.pk, copied.report_b.pk, key=lambda pk: _document_id(pk))
    assert [hit.document.object_id for hit in search(viewer=cast.city_organiser, query="后备干部")] == [
        newest
    ]
    # the scope is applied before the cut: a county organiser still finds their own report
    assert [hit.document.object_id for hit in search(viewer=cast.county_organiser, query="后备干部")] == [
        copied.report_a.pk
    ]


def _document_id(report_pk: int) -> int:
    from shuzhi.analytics.models import Document

    return Document.objects.get(kind="report", object_id=report_pk).pk


def test_comments_and_rectification_items_are_found_by_who_may_read_them(cast):
    cycle = published_cycle(cast)
    item = Item.objects.create(
        cycle=cycle,
        organization=cast.township_a,
        org_path=cast.township_a.path,
        title="村级后备干部储备不足",
        measures="每村储备后备干部不少于3名",
        deadline=timezone.localdate() + timedelta(days=90),
    )
    services.index_refresh()
    assert "对中共东湖区柳泉镇委员会的点评" in _titles(cast.county_organiser, "整顿进度")
    assert "对中共东湖区柳泉镇委员会的点评" in _titles(cast.reviewer, "整顿进度")
    assert _titles(cast.township_secretary, "整顿进度") == []  # a secretary does not read 点评
    assert _titles(cast.outsider, "整顿进度") == []
    assert item.title in _titles(cast.township_secretary, "储备后备干部")
    assert item.title in _titles(cast.county_organiser, "储备后备干部")
    assert _titles(cast.outsider, "储备后备干部") == []
    [hit] = [
        h for h in search(viewer=cast.county_organiser, query="整顿进度") if h.document.kind == "comment"
    ]
    assert hit.url == reverse("ballots:comments", args=[cycle.meeting.pk])


@pytest.fixture
def org_kind():
    """A kind registered the way a higher area (projects) will register its own."""
    kind = Kind(
        key="test_org_profile",
        label="组织简介",
        objects=lambda: Organization.objects.all(),
        source=lambda org: Source(
            org.pk,
            org.name,
            f"{org.name}简介：本单位打造红色物业品牌",
            org.pk,
            org.path,
            None,
            org.updated_at,
        ),
        visible=lambda user: (
            Organization.objects.filter(path__startswith=user.organization.path)
            if user.organization_id
            else Organization.objects.none()
        ),
        urls=lambda pks: {pk: f"/orgs/{pk}/" for pk in pks},
    )
    registry.register(kind)
    yield kind
    registry.unregister(kind.key)


def test_a_kind_registered_by_a_higher_area_is_indexed_and_searched_in_its_scope(cast, org_kind):
    services.index_refresh(keys={org_kind.key})
    titles = _titles(cast.county_organiser, "红色物业")
    assert cast.county_a.name in titles and cast.township_a.name in titles
    assert cast.county_b.name not in titles and cast.city.name not in titles


def test_the_search_page_answers_in_a_fixed_number_of_queries(
    client, cast, copied, django_assert_num_queries
):
    services.index_refresh()
    client.force_login(cast.county_organiser)
    url = reverse("analytics:search") + "?q=后备干部"
    client.get(url)
    # session, user, the search, its documents. On PostgreSQL the search is
    # the words through the GIN index, the scope over them, the ranking, in a savepoint that
    # switches the table scan off for the first: 6 more
    from django.db import connection

    with django_assert_num_queries(4 if connection.vendor == "sqlite" else 10):
        response = client.get(url)
    body = response.content.decode()
    assert cast.township_a.name in body and "<mark>" in body


def test_the_search_page_needs_a_login_and_takes_an_empty_query(client, cast):
    url = reverse("analytics:search")
    assert client.get(url + "?q=党建").status_code == 302
    client.force_login(cast.member_user)
    assert client.get(url + "?q=党建").status_code == 200
    assert client.get(url + "?q=").status_code == 200
    assert client.get(url + "?q=" + "党" * 200).status_code == 200
