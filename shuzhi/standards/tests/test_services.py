from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzhi.core import facts
from shuzhi.core.models import AuditEvent, Notification
from shuzhi.standards import selectors, services
from shuzhi.standards.models import Item, Rating
from shuzhi.testing.records import PNG, branch_secretary

pytestmark = pytest.mark.django_db
YEAR = date.today().year


def rate(cast, actor=None):
    return services.ratings_compute(actor=actor or cast.county_organiser, root=cast.county_a, year=YEAR)


def rating_of(org):
    return Rating.objects.get(organization=org, year=YEAR)


def test_it_rates_every_branch_of_the_subtree_from_the_facts(cast, rural, fixed_source):
    _standard, computed, _place, _role = rural
    fixed_source[cast.village_a.pk] = Decimal(85)
    fixed_source[cast.village_a2.pk] = Decimal(60)
    assert rate(cast) == (2, 0)
    a, a2 = rating_of(cast.village_a), rating_of(cast.village_a2)
    assert (a.score, a.values) == (40, {str(computed.pk): "85"})
    assert a2.score == 0
    assert not Rating.objects.filter(organization=cast.village_b).exists()  # another county
    assert AuditEvent.objects.filter(action="standards.compute").count() == 1


def test_no_data_is_never_counted_as_met_and_shows_in_the_gaps(cast, rural, fixed_source):
    rate(cast)  # the fixed source says nothing about either branch
    rating = rating_of(cast.village_a)
    assert rating.values == {str(rural[1].pk): None}
    assert rating.score == 0 and rating.rank == 0
    gaps = selectors.checklist(rating).gaps
    assert (gaps[0].item.title, gaps[0].gap) == ("组织生活达标", "no_data")


def test_a_branch_fills_its_checklist_and_proposes_its_level(cast, rural, fixed_source):
    _standard, _computed, place, role = rural
    fixed_source[cast.village_a.pk] = Decimal(100)
    rate(cast)
    keeper = branch_secretary(cast.village_a)
    rating = rating_of(cast.village_a)
    photo = SimpleUploadedFile("阵地.png", PNG, content_type="image/png")
    services.check_fill(actor=keeper, rating=rating, item_id=place.pk, claimed=True, note="",
                        photo=photo, photo_name="阵地.png", photo_size=len(PNG))  # fmt: skip
    services.check_fill(actor=keeper, rating=rating, item_id=role.pk, claimed=True, note="合作社增收 12 万元")
    rating.refresh_from_db()
    assert (rating.score, rating.rank) == (100, 5)
    services.rating_submit(actor=keeper, rating=rating)
    rating.refresh_from_db()
    assert rating.status == Rating.Status.SUBMITTED
    # the township above is told
    assert Notification.objects.filter(recipient=cast.township_secretary, text__contains="五星").exists()


def test_a_claim_without_notes_or_photo_is_refused_and_nothing_is_written(cast, rural, fixed_source):
    rate(cast)
    keeper = branch_secretary(cast.village_a)
    with pytest.raises(ValidationError) as error:
        services.check_fill(actor=keeper, rating=rating_of(cast.village_a), item_id=rural[2].pk, claimed=True,
                            note="  ")  # fmt: skip
    assert "做法或上传照片" in str(error.value)
    assert not rating_of(cast.village_a).checks.exists()


def test_a_file_that_is_not_a_photo_is_refused(cast, rural, fixed_source):
    rate(cast)
    keeper = branch_secretary(cast.village_a)
    fake = SimpleUploadedFile("阵地.png", b"MZ\x90\x00not a picture", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.check_fill(actor=keeper, rating=rating_of(cast.village_a), item_id=rural[2].pk, claimed=True,
                            note="x", photo=fake, photo_name="阵地.png", photo_size=fake.size)  # fmt: skip
    assert "photo" in error.value.message_dict
    assert not rating_of(cast.village_a).checks.exists()


def test_a_computed_item_is_not_filled_by_the_branch(cast, rural, fixed_source):
    rate(cast)
    with pytest.raises(ValidationError, match="自动计算"):
        services.check_fill(actor=branch_secretary(cast.village_a), rating=rating_of(cast.village_a),
                            item_id=rural[1].pk, claimed=True, note="x")  # fmt: skip


def test_only_the_branch_s_own_keepers_fill_it(cast, rural, fixed_source):
    rate(cast)
    neighbour = branch_secretary(cast.village_a2, username="other")
    with pytest.raises(PermissionDenied):
        services.check_fill(actor=neighbour, rating=rating_of(cast.village_a), item_id=rural[2].pk, claimed=True,
                            note="x")  # fmt: skip


def test_the_level_above_changes_an_item_with_a_reason_and_confirms_another_level(cast, rural, fixed_source):
    _standard, _computed, place, role = rural
    fixed_source[cast.village_a.pk] = Decimal(100)
    rate(cast)
    keeper = branch_secretary(cast.village_a)
    rating = rating_of(cast.village_a)
    for item in (place, role):
        services.check_fill(actor=keeper, rating=rating, item_id=item.pk, claimed=True, note="已落实")
    services.rating_submit(actor=keeper, rating=rating)
    township = cast.township_secretary
    with pytest.raises(ValidationError, match="理由"):
        services.check_verdict(actor=township, rating=rating, item_id=place.pk, verdict=False, reason=" ")
    services.check_verdict(
        actor=township, rating=rating, item_id=place.pk, verdict=False, reason="制度未上墙"
    )
    rating.refresh_from_db()
    assert (rating.score, rating.rank) == (70, 3)
    with pytest.raises(ValidationError, match="请写明理由"):
        services.rating_confirm(actor=township, rating=rating, rank=4, reason="")
    services.rating_confirm(actor=township, rating=rating, rank=3, reason="")
    rating.refresh_from_db()
    assert (rating.status, rating.final_rank, rating.confirmed_by) == (Rating.Status.CONFIRMED, 3, township)
    assert Notification.objects.filter(recipient=keeper, text__contains="三星").exists()
    assert (
        AuditEvent.objects.filter(action="standards.verdict").get().changes["after"]["reason"] == "制度未上墙"
    )
    # decided: the branch cannot change it and a new computation leaves it alone
    with pytest.raises(ValidationError, match="已确认"):
        services.check_fill(actor=keeper, rating=rating, item_id=role.pk, claimed=False, note="")
    fixed_source[cast.village_a.pk] = Decimal(0)
    rate(cast)
    assert rating_of(cast.village_a).score == 70


def test_the_branch_cannot_confirm_itself_nor_can_a_neighbouring_county(cast, rural, fixed_source):
    rate(cast)
    keeper = branch_secretary(cast.village_a)
    rating = rating_of(cast.village_a)
    services.rating_submit(actor=keeper, rating=rating)
    for actor in (keeper, cast.outsider):
        with pytest.raises(PermissionDenied):
            services.rating_confirm(actor=actor, rating=rating, rank=0, reason="")


def test_it_refuses_to_confirm_before_the_branch_has_proposed(cast, rural, fixed_source):
    rate(cast)
    with pytest.raises(ValidationError, match="尚未提交"):
        services.rating_confirm(
            actor=cast.township_secretary, rating=rating_of(cast.village_a), rank=0, reason=""
        )


def test_publication_lists_the_confirmed_branches_by_level(cast, rural, fixed_source):
    rate(cast)
    keeper = branch_secretary(cast.village_a)
    rating = rating_of(cast.village_a)
    services.rating_submit(actor=keeper, rating=rating)
    services.rating_confirm(actor=cast.township_secretary, rating=rating, rank=1, reason="整改后复核")
    assert services.ratings_publish(actor=cast.county_organiser, root=cast.county_a, year=YEAR) == 1
    assert selectors.published(org=cast.county_a, year=YEAR) == [("一星", [rating_of(cast.village_a)])]
    with pytest.raises(ValidationError, match="没有已确认"):
        services.ratings_publish(actor=cast.county_organiser, root=cast.county_a, year=YEAR)
    assert Notification.objects.filter(recipient=keeper, text__contains="公布").exists()


def test_the_distribution_counts_each_level_per_child_and_the_unrated(cast, rural, fixed_source):
    fixed_source[cast.village_a.pk] = Decimal(100)
    rate(cast)
    labels, total, children = selectors.distribution(org=cast.city, year=YEAR)
    assert labels == ["未定级", "未评定"]
    assert total.branches == 3 and total.counts == {"未定级": 2, "未评定": 1}
    assert [(d.name, d.counts) for d in children] == [
        (cast.county_a.name, {"未定级": 2, "未评定": 0}),
        (cast.county_b.name, {"未评定": 1}),
    ]


def test_an_item_naming_an_unknown_fact_source_is_refused(rural):
    item = Item(standard=rural[0], heading="life", title="x", points=5, evidence="computed", fact_key="no.such",
                threshold=Decimal(50))  # fmt: skip
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "不存在" in str(error.value.message_dict["fact_key"])


def test_the_seeded_items_name_registered_sources():
    for item in Item.objects.filter(evidence="computed"):
        item.full_clean()
    assert Item.objects.filter(evidence="computed").count() >= 30


def test_star_level_is_the_share_of_branches_confirmed_at_the_counted_level(cast, rural, fixed_source):
    rate(cast)
    subjects = [facts.Subject(id=o.pk, path=o.path) for o in (cast.township_a, cast.county_b)]
    before = facts.collect("standards.star_level", year=YEAR, subjects=subjects)
    assert before[cast.township_a.pk].value is None  # nothing confirmed: no data, not zero
    keeper = branch_secretary(cast.village_a)
    rating = rating_of(cast.village_a)
    services.rating_submit(actor=keeper, rating=rating)
    services.rating_confirm(actor=cast.township_secretary, rating=rating, rank=3, reason="复核")
    after = facts.collect("standards.star_level", year=YEAR, subjects=subjects)
    assert after[cast.township_a.pk].value == Decimal("50.00")  # 1 of 2 branches at 三星 or above
    assert after[cast.county_b.pk].value is None
