"""Writes of the standards area: the bulk rating, the branch's checklist, the level above's
verdicts and confirmation, publication. Each write is audited in its transaction."""

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import IO

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.core import facts
from shuzhi.core.access import in_subtree
from shuzhi.core.errors import field_error
from shuzhi.core.paths import common_prefix
from shuzhi.core.roles import Role
from shuzhi.core.services import audit_record, notify
from shuzhi.core.uploads import JPEG, PDF, PNG, check_upload
from shuzhi.exchange.rules import compact
from shuzhi.exchange.workbook import check_upload as check_sheet
from shuzhi.exchange.workbook import read_sheet
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.standards import rules, selectors, training_sheet
from shuzhi.standards.models import (
    Check,
    FollowUpReview,
    Item,
    Level,
    Participation,
    Rating,
    Standard,
    Training,
)

PHOTO_KINDS = frozenset({JPEG, PNG, PDF})
PHOTO_MAX_BYTES = 10 * 1024 * 1024
BATCH = 2000
FROZEN = (Rating.Status.CONFIRMED, Rating.Status.PUBLISHED)


def _compute(*, year: int, branches: list[tuple[int, str, str, str]]) -> tuple[int, int]:
    """Rate the given branches (id, path, name, field) in one pass: the facts each standard names
    are collected in bulk, one call per fact source for all branches; confirmed and published
    ratings stand as decided. Returns (rated, skipped for having no standard)."""
    all_specs = selectors.specs()
    rated = [b for b in branches if b[3] in all_specs]
    subjects: dict[str, list[facts.Subject]] = defaultdict(list)
    for org_id, path, name, org_field in rated:
        for key in {i.fact_key for i in all_specs[org_field].items if i.evidence == rules.COMPUTED}:
            subjects[key].append(facts.Subject(id=org_id, path=path, name=name))
    values = {key: facts.collect(key, year=year, subjects=subs) for key, subs in subjects.items()}
    ids = [b[0] for b in rated]
    existing = dict(
        Rating.objects.filter(organization_id__in=ids, year=year).values_list("organization_id", "status")
    ) if len(ids) < 1000 else _statuses(year, rated)  # fmt: skip
    checks: dict[int, dict[int, tuple[bool, bool | None]]] = defaultdict(dict)
    check_rows = Check.objects.filter(rating__year=year)
    check_rows = (check_rows.filter(rating__organization_id__in=ids) if len(ids) < 1000
                  else check_rows.filter(in_subtree("rating__org_path", common_prefix(b[1] for b in rated))))  # fmt: skip
    for org_id, item_id, claimed, verdict in check_rows.values_list(
        "rating__organization_id", "item_id", "claimed", "verdict"
    ):
        checks[org_id][item_id] = (claimed, verdict)
    now = timezone.now()
    rows = []
    for org_id, path, _name, org_field in rated:
        if existing.get(org_id) in FROZEN:
            continue
        spec = all_specs[org_field]
        found = {}
        for item in spec.items:
            if item.evidence == rules.COMPUTED:
                value = values[item.fact_key][org_id].value
                found[str(item.pk)] = None if value is None else str(value)
        states = selectors.states(spec, found, checks.get(org_id, {}))
        points = rules.score(states)
        rows.append(Rating(organization_id=org_id, org_path=path, year=year, standard=spec.standard, values=found,
                           score=points, rank=rules.level(points, spec.thresholds), computed_at=now))  # fmt: skip
    Rating.objects.bulk_create(
        rows, batch_size=BATCH, update_conflicts=True, unique_fields=["organization", "year"],
        update_fields=["org_path", "standard", "values", "score", "rank", "computed_at", "updated_at"],
    )  # fmt: skip
    return len(rows), len(branches) - len(rated)


def _statuses(year: int, branches) -> dict[int, str]:
    return dict(
        Rating.objects.filter(
            in_subtree("org_path", common_prefix(b[1] for b in branches)), year=year
        ).values_list("organization_id", "status")
    )


@transaction.atomic
def ratings_compute(*, actor, root: Organization, year: int) -> tuple[int, int]:
    """Rate every branch of the subtree for the year (its keepers may rate their own branch)."""
    if not (selectors.may_fill(actor, root) or selectors.may_publish(actor, root)):
        raise PermissionDenied
    branches = list(
        Organization.objects.filter(in_subtree("path", root.path), kind=selectors.BRANCH)
        .order_by()
        .values_list("id", "path", "name", "field")
    )
    if not branches:
        raise ValidationError(_("“%(org)s”下面没有党支部。") % {"org": root.name}, code="no_branches")
    rated, skipped = _compute(year=year, branches=branches)
    audit_record(actor=actor, action="standards.compute", target=root, org_path=root.path,
                 extra={"year": year, "rated": rated, "no_standard": skipped})  # fmt: skip
    return rated, skipped


def ratings_compute_all(*, year: int) -> int:
    """Rate every branch of the platform (the yearly run and the benchmark): no actor, no audit
    event per branch; returns the ratings written."""
    branches = list(
        Organization.objects.filter(kind=selectors.BRANCH)
        .order_by()
        .values_list("id", "path", "name", "field")
    )
    with transaction.atomic():
        rated, _skipped = _compute(year=year, branches=branches)
        audit_record(actor=None, action="standards.compute", target_repr=_("全部党支部"),
                     extra={"year": year, "rated": rated})  # fmt: skip
    return rated


def _rescore(rating: Rating) -> None:
    spec = selectors.spec_of(rating.standard)
    checks = {c.item_id: (c.claimed, c.verdict) for c in rating.checks.all()}
    states = selectors.states(spec, rating.values, checks)
    rating.score = rules.score(states)
    rating.rank = rules.level(rating.score, spec.thresholds)
    rating.full_clean()
    rating.save(update_fields=["score", "rank", "updated_at"])


def _item_of(rating: Rating, item_id: int) -> Item:
    item = Item.objects.filter(standard_id=rating.standard_id, pk=item_id).first()
    if item is None:
        raise ValidationError(_("该条目不属于本支部适用的标准。"), code="foreign_item")
    return item


def _locked(rating: Rating) -> None:
    rating.refresh_from_db(fields=["status"])
    if rating.status in FROZEN:
        raise ValidationError(
            _("%(year)s 年度的星级已%(status)s，不能再修改。")
            % {"year": rating.year, "status": rating.get_status_display()},
            code="frozen",
        )


@transaction.atomic
def check_fill(*, actor, rating: Rating, item_id: int, claimed: bool, note: str,
               photo: IO[bytes] | None = None, photo_name: str = "", photo_size: int = 0) -> Check:  # fmt: skip
    """The branch fills one hand-checked item of its checklist: met or not, notes, a photo."""
    if not selectors.may_fill(actor, rating.organization):
        raise PermissionDenied
    _locked(rating)
    if rating.status != Rating.Status.OPEN:
        raise ValidationError(_("自评已提交，等待上级确认，不能再修改。"), code="submitted")
    item = _item_of(rating, item_id)
    if item.evidence != rules.CHECKED:
        raise ValidationError(_("“%(item)s”由平台数据自动计算，不需要自评。") % {"item": item.title},
                              code="computed_item")  # fmt: skip
    note = note.strip()
    if claimed and not note and photo is None:
        raise field_error("note", _("自评达标请写明做法或上传照片，供上级检查。"), "no_evidence")
    check, _created = Check.objects.get_or_create(rating=rating, item=item)
    before = {"claimed": check.claimed, "note": check.note, "photo": check.photo_name}
    check.claimed, check.note = claimed, note[:2000]
    if photo is not None:
        try:
            kind = check_upload(photo, photo_size, allowed=PHOTO_KINDS, max_bytes=PHOTO_MAX_BYTES)
        except ValidationError as error:
            raise ValidationError({"photo": error.messages}) from None
        photo.seek(0)
        data = photo.read(PHOTO_MAX_BYTES + 1)
        digest = hashlib.sha256(data).hexdigest()
        check.photo.save(f"{digest[:16]}.{'jpg' if kind == JPEG else kind}", ContentFile(data), save=False)
        check.photo_name, check.photo_kind = photo_name[-200:], kind
    check.full_clean(exclude=["photo"])
    check.save()
    _rescore(rating)
    after = {"claimed": check.claimed, "note": check.note, "photo": check.photo_name}
    audit_record(actor=actor, action="standards.check_fill", target=rating, org_path=rating.org_path,
                 before=before, after=after, extra={"item": item.title})  # fmt: skip
    return check


def _above(org: Organization):
    """The users of the organisations above a branch who check it (nearest first)."""
    ancestors = [org.path[:n] for n in range(Organization.steplen, len(org.path), Organization.steplen)]
    user_model = get_user_model()
    return list(
        user_model.objects.filter(
            organization__path__in=ancestors[-2:], role__in=[Role.SECRETARY, Role.ORGANISER], is_active=True
        )
    )


def _keepers(org: Organization):
    user_model = get_user_model()
    return list(
        user_model.objects.filter(organization=org, role__in=[Role.SECRETARY, Role.CLERK], is_active=True)
    )


@transaction.atomic
def rating_submit(*, actor, rating: Rating) -> Rating:
    """The branch proposes the level its checklist gives; the level above is told."""
    if not selectors.may_fill(actor, rating.organization):
        raise PermissionDenied
    _locked(rating)
    if rating.status != Rating.Status.OPEN:
        raise ValidationError(_("自评已经提交过了。"), code="submitted")
    rating.status, rating.submitted_at = Rating.Status.SUBMITTED, timezone.now()
    rating.full_clean()
    rating.save(update_fields=["status", "submitted_at", "updated_at"])
    label = selectors.spec_of(rating.standard).label(rating.rank)
    audit_record(actor=actor, action="standards.submit", target=rating, org_path=rating.org_path,
                 extra={"year": rating.year, "score": rating.score, "proposed": label})  # fmt: skip
    notify(recipients=_above(rating.organization), link=rating.get_absolute_url(),
           text=_("%(org)s 提交了 %(year)s 年度星级自评（%(label)s，%(score)s 分），请检查确认。")
           % {"org": rating.organization.name, "year": rating.year, "label": label, "score": rating.score})  # fmt: skip
    return rating


@transaction.atomic
def check_verdict(*, actor, rating: Rating, item_id: int, verdict: bool, reason: str) -> Check:
    """The level above judges one item met or not, with its reason (overrides claim and fact)."""
    if not selectors.may_check(actor, rating.organization):
        raise PermissionDenied
    _locked(rating)
    item = _item_of(rating, item_id)
    reason = reason.strip()
    if not reason:
        raise field_error("reason", _("请写明认定“%(item)s”的理由。") % {"item": item.title}, "no_reason")
    check, _created = Check.objects.get_or_create(rating=rating, item=item)
    before = {"verdict": check.verdict, "reason": check.verdict_reason, "score": rating.score}
    check.verdict, check.verdict_reason, check.verdict_by = verdict, reason[:300], actor
    check.full_clean(exclude=["photo"])
    check.save()
    _rescore(rating)
    audit_record(actor=actor, action="standards.verdict", target=rating, org_path=rating.org_path,
                 before=before, after={"verdict": verdict, "reason": check.verdict_reason, "score": rating.score},
                 extra={"item": item.title})  # fmt: skip
    return check


@transaction.atomic
def rating_confirm(*, actor, rating: Rating, rank: int, reason: str) -> Rating:
    """The level above confirms the proposed level or changes it, with a reason; the branch is
    told."""
    if not selectors.may_check(actor, rating.organization):
        raise PermissionDenied
    _locked(rating)
    if rating.status != Rating.Status.SUBMITTED:
        raise ValidationError(_("支部尚未提交自评，不能确认等次。"), code="not_submitted")
    spec = selectors.spec_of(rating.standard)
    if rank != 0 and rank not in spec.labels:
        raise field_error("rank", _("请从本标准的等次中选择。"), "bad_rank")
    reason = reason.strip()
    if rank != rating.rank and not reason:
        raise field_error(
            "reason",
            _("确认的等次（%(to)s）与按检查结果算出的等次（%(from)s）不同，请写明理由。")
            % {"to": spec.label(rank), "from": spec.label(rating.rank)},
            "no_reason",
        )
    rating.final_rank, rating.reason = rank, reason[:300]
    rating.status, rating.confirmed_at, rating.confirmed_by = Rating.Status.CONFIRMED, timezone.now(), actor
    rating.full_clean()
    rating.save()
    audit_record(actor=actor, action="standards.confirm", target=rating, org_path=rating.org_path,
                 before={"rank": spec.label(rating.rank)}, after={"rank": spec.label(rank), "reason": rating.reason},
                 extra={"year": rating.year, "score": rating.score})  # fmt: skip
    notify(
        recipients=_keepers(rating.organization),
        link=rating.get_absolute_url(),
        text=_("%(year)s 年度星级评定已确认：%(label)s。") % {"year": rating.year, "label": spec.label(rank)},
    )
    return rating


@transaction.atomic
def ratings_publish(*, actor, root: Organization, year: int) -> int:
    """Publish the confirmed ratings of the subtree as the list of branches by level."""
    if not selectors.may_publish(actor, root):
        raise PermissionDenied
    confirmed = Rating.objects.filter(
        in_subtree("org_path", root.path), year=year, status=Rating.Status.CONFIRMED
    )
    count = confirmed.update(status=Rating.Status.PUBLISHED, updated_at=timezone.now())
    if not count:
        raise ValidationError(_("没有已确认、待公布的星级评定。"), code="nothing_to_publish")
    audit_record(actor=actor, action="standards.publish", target=root, org_path=root.path,
                 extra={"year": year, "published": count})  # fmt: skip
    keepers = get_user_model().objects.filter(
        Q(role__in=[Role.SECRETARY, Role.CLERK]), in_subtree("organization__path", root.path), is_active=True,
        organization__kind=selectors.BRANCH,
    )  # fmt: skip
    notify(recipients=list(keepers), link=reverse("standards:published", args=[root.pk]) + f"?year={year}",
           text=_("%(org)s 公布了 %(year)s 年度党支部星级评定结果。") % {"org": root.name, "year": year})  # fmt: skip
    return count


# Education hours ------------------------------------------------------------------------------

SHEET_ERRORS_SHOWN = 30


def _may_train(actor, org: Organization) -> None:
    if not selectors.may_train(actor, org):
        raise PermissionDenied


@transaction.atomic
def training_record(*, actor, organization: Organization, kind: str, title: str, held_on: date,
                    hours: Decimal, member_ids: Sequence[int]) -> Training:  # fmt: skip
    """Record one training with its stated hours and who took part (members of the subtree)."""
    _may_train(actor, organization)
    member_ids = sorted(set(member_ids))
    if not member_ids:
        raise field_error("members", _("请选择参加培训的党员。"), "no_participants")
    known = set(
        Member.objects.filter(in_subtree("org_path", organization.path), pk__in=member_ids).values_list(
            "pk", flat=True
        )
    )
    if len(known) != len(member_ids):
        raise field_error("members", _("参训人员须是本单位及下级的党员。"), "foreign_member")
    if held_on > timezone.localdate():
        raise field_error("held_on", _("培训日期不能晚于今天。"), "future")
    title = title.strip()
    if Training.objects.filter(organization=organization, held_on=held_on, title=title).exists():
        raise field_error("title", _("%(d)s 的“%(t)s”已经登记过了。") % {"d": held_on.isoformat(), "t": title},
                          "duplicate")  # fmt: skip
    training = Training(organization=organization, org_path=organization.path, kind=kind, title=title,
                        held_on=held_on, hours=hours, recorded_by=actor)  # fmt: skip
    training.full_clean()
    training.save()
    Participation.objects.bulk_create(Participation(training=training, member_id=m) for m in member_ids)
    audit_record(actor=actor, action="standards.training_record", target=training, org_path=organization.path,
                 after={"kind": kind, "held_on": held_on.isoformat(), "hours": str(hours), "people": len(member_ids)})  # fmt: skip
    return training


@transaction.atomic
def trainings_import(*, actor, organization: Organization, upload) -> tuple[int, int]:
    """Read a training list (a row per participant) and record every training and participant
    not yet recorded, or nothing: any bad row refuses the sheet with every reason, row by row.
    Returns (trainings added, participants added)."""
    _may_train(actor, organization)
    check_sheet(upload, upload.size)
    upload.seek(0)
    sheet = read_sheet(upload, lookup=training_sheet.lookup())
    roster_rows = list(
        Member.objects.filter(in_subtree("org_path", organization.path)).values_list("id", "name").order_by()
    )
    counts: dict[str, int] = defaultdict(int)
    for _id, name in roster_rows:
        counts[compact(name)] += 1
    roster = {compact(name): member_id for member_id, name in roster_rows if counts[compact(name)] == 1}
    rows, errors = training_sheet.read_rows(sheet, roster=roster, today=timezone.localdate())
    stated: dict[tuple[date, str], tuple[int, str, Decimal]] = {}
    seen: set[tuple[date, str, int]] = set()
    for row in rows:
        key = (row.held_on, row.title)
        first = stated.setdefault(key, (row.number, row.kind, row.hours))
        if (first[1], first[2]) != (row.kind, row.hours):
            errors.append(_("第 %(row)d 行：与第 %(first)d 行是同一培训（%(d)s“%(t)s”），类型或学时却不同。")
                          % {"row": row.number, "first": first[0], "d": row.held_on.isoformat(), "t": row.title})  # fmt: skip
        if (*key, row.member_id) in seen:
            errors.append(_("第 %(row)d 行：同一人在同一培训中出现了两次。") % {"row": row.number})
        seen.add((*key, row.member_id))
    existing = {(t.held_on, t.title): t for t in Training.objects.filter(organization=organization,
                                                                          held_on__in={k[0] for k in stated})}  # fmt: skip
    for key, (number, _kind, hours) in stated.items():
        found = existing.get(key)
        if found is not None and found.hours != hours:
            errors.append(_("第 %(row)d 行：“%(t)s”已登记为 %(h)s 学时，表中为 %(x)s 学时。")
                          % {"row": number, "t": key[1], "h": found.hours, "x": hours})  # fmt: skip
    if not rows and not errors:
        errors.append(_("表中没有可导入的行。"))
    if errors:
        shown = errors[:SHEET_ERRORS_SHOWN]
        if len(errors) > SHEET_ERRORS_SHOWN:
            shown.append(_("……共 %(n)d 处问题。") % {"n": len(errors)})
        raise ValidationError(shown, code="rows")
    added = []
    for key, (_number, kind, hours) in stated.items():
        if key not in existing:
            training = Training(organization=organization, org_path=organization.path, kind=kind, title=key[1],
                                held_on=key[0], hours=hours, recorded_by=actor)  # fmt: skip
            training.full_clean()
            added.append(training)
    Training.objects.bulk_create(added)
    by_key = {**existing, **{(t.held_on, t.title): t for t in added}}
    before = Participation.objects.filter(training__in=list(by_key.values())).count()
    Participation.objects.bulk_create(
        [Participation(training=by_key[(r.held_on, r.title)], member_id=r.member_id) for r in rows],
        ignore_conflicts=True,
    )
    people = Participation.objects.filter(training__in=list(by_key.values())).count() - before
    audit_record(actor=actor, action="standards.training_import", target=organization, org_path=organization.path,
                 extra={"trainings": len(added), "participants": people, "rows": len(rows)})  # fmt: skip
    return len(added), people


# New members' follow-up -----------------------------------------------------------------------


@transaction.atomic
def follow_up_review(
    *, actor, member: Member, year: int, grade: str, assessment: str, reviewer: str
) -> FollowUpReview:
    """The branch records (or corrects) its yearly review of a member under follow-up."""
    if not selectors.may_review(actor, member):
        raise PermissionDenied
    years = selectors.follow_up_years()
    low, high = rules.converted_window(year, years)
    if member.full_member_on is None or not low <= member.full_member_on <= high:
        raise ValidationError(
            _("%(name)s在 %(year)s 年不在新党员跟踪考察期内（转正后 %(n)d 年）。")
            % {"name": member.name, "year": year, "n": years},
            code="not_under_follow_up",
        )
    if year > timezone.localdate().year:
        raise field_error("year", _("还没有到 %(year)s 年。") % {"year": year}, "future")
    review = FollowUpReview.objects.filter(member=member, year=year).first()
    before = (
        {"grade": review.grade, "assessment": review.assessment, "reviewer": review.reviewer}
        if review
        else None
    )
    review = review or FollowUpReview(member=member, year=year)
    review.org_path = member.org_path
    review.grade, review.assessment, review.reviewer = grade, assessment.strip(), reviewer.strip()
    review.reviewed_by = actor
    review.full_clean()
    review.save()
    audit_record(actor=actor, action="standards.follow_up_review", target=review, org_path=member.org_path,
                 target_repr=f"{year} {member.name}", before=before,
                 after={"grade": grade, "assessment": review.assessment, "reviewer": review.reviewer})  # fmt: skip
    return review


# ---- the standards themselves ----------------------------------------------------------------

ITEM_FIELDS = ("heading", "title", "points", "evidence", "fact_key", "threshold", "order")


def _item_state(item: Item) -> dict[str, object]:
    return {f: str(getattr(item, f)) if f == "threshold" and item.threshold is not None else getattr(item, f)
            for f in ITEM_FIELDS}  # fmt: skip


@transaction.atomic
def item_save(*, actor, standard: Standard, item: Item | None = None, **values) -> Item:
    """Add an item to a standard or change one (audited). Ratings already confirmed or published
    stand as decided; the others take the change at their next computation."""
    if not selectors.may_edit_standards(actor):
        raise PermissionDenied
    before = _item_state(item) if item is not None else {}
    item = item or Item(standard=standard)
    if item.standard_id != standard.pk:
        raise PermissionDenied
    values["title"] = (values.get("title") or "").strip()
    values["fact_key"] = values.get("fact_key") or ""
    for name in ITEM_FIELDS:
        setattr(item, name, values.get(name))
    item.full_clean()
    item.save()
    audit_record(actor=actor, action="standards.item_save", target=item, target_repr=f"{standard.name} · {item.title}",
                 before=before, after=_item_state(item))  # fmt: skip
    return item


@transaction.atomic
def item_delete(*, actor, item: Item) -> None:
    """Remove an item no branch has filled or had judged yet; one that has been is changed instead."""
    if not selectors.may_edit_standards(actor):
        raise PermissionDenied
    if Check.objects.filter(item=item).exists():
        raise ValidationError(
            _("已有党支部自评或上级认定过“%(item)s”，不能删除；可以修改它的内容和分值。")
            % {"item": item.title},
            code="item_in_use",
        )
    audit_record(actor=actor, action="standards.item_delete", target=item,
                 target_repr=f"{item.standard.name} · {item.title}", before=_item_state(item))  # fmt: skip
    item.delete()


@transaction.atomic
def levels_set(*, actor, standard: Standard, below_label: str, levels: dict[int, tuple[str, int]]) -> None:
    """Each rank's name and minimum score (a higher rank needs a higher score, none more than the
    standard's full marks), and the name below every level; audited."""
    if not selectors.may_edit_standards(actor):
        raise PermissionDenied
    found = {level.rank: level for level in standard.levels.all()}
    full = sum(standard.items.values_list("points", flat=True))
    errors: dict[str, ValidationError] = {}
    below_label = below_label.strip()
    if not below_label:
        errors["below_label"] = ValidationError(_("请填写未达到任何等次时的名称。"), code="required")
    previous = None
    for rank in sorted(levels, reverse=True):
        label, minimum = levels[rank]
        if rank not in found:
            raise ValidationError(_("该标准没有第 %(rank)d 等。") % {"rank": rank}, code="unknown_rank")
        if not label.strip():
            errors[f"label_{rank}"] = ValidationError(_("请填写等次名称。"), code="required")
        if minimum > full:
            errors[f"min_{rank}"] = ValidationError(
                _("最低得分 %(min)d 超过了标准的满分 %(full)d。") % {"min": minimum, "full": full},
                code="above_full",
            )
        elif previous is not None and minimum >= previous[1]:
            errors[f"min_{rank}"] = ValidationError(
                _("应低于“%(label)s”的最低得分 %(min)d：等次越高，要求的得分越高。")
                % {"label": previous[0], "min": previous[1]},
                code="not_descending",
            )
        previous = (label.strip(), minimum)
    if errors:
        raise ValidationError(errors)
    before = {
        "below_label": standard.below_label,
        **{str(r): [lv.label, lv.min_score] for r, lv in found.items()},
    }
    for rank, (label, minimum) in levels.items():
        Level.objects.filter(pk=found[rank].pk).update(
            label=label.strip(), min_score=minimum, updated_at=timezone.now()
        )
    standard.below_label = below_label
    standard.save(update_fields=["below_label", "updated_at"])
    after = {"below_label": below_label, **{str(r): [lv[0].strip(), lv[1]] for r, lv in levels.items()}}
    audit_record(actor=actor, action="standards.levels_set", target=standard, before=before, after=after)
