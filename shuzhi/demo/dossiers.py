"""Demo members' files, talents and 到社区报到, for the demo city and the generated ones.

Every demo scan row points at one sealed sample file stored once: the pages and the roll-ups
read rows, and a city of scans would otherwise write a file per row."""

import random
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from shuzhi.core.access import in_subtree
from shuzhi.dossiers.models import (
    ChecklistItem,
    CommunityRegistration,
    ReserveCadre,
    Scan,
    ServiceActivity,
    Talent,
)
from shuzhi.dossiers.services import file_states_refresh
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization

SAMPLE = b"%PDF-1.4\n% shuzhi demo scan\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SAMPLE_NAME = "dossiers/demo/sample.pdf"
BATCH = 5000
TALENT_NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "富强明军华平建国秀英志刚海燕春红玉兰"
CATEGORIES = ["rich", "rich", "graduate", "veteran", "migrant", "cooperative", "professional"]


def _sample() -> str:
    if not default_storage.exists(SAMPLE_NAME):
        return default_storage.save(SAMPLE_NAME, ContentFile(SAMPLE))
    return SAMPLE_NAME


def files_write(*, root: Organization, seed: int = 2024, share: float = 1.0, today: date) -> int:
    """Scans for `share` of the subtree's members: about half of them with a complete file, the
    rest with a few entries. Once per tree; returns how many scan rows."""
    if Scan.objects.filter(in_subtree("member__org_path", root.path)).exists():
        return 0
    rng = random.Random(f"{seed}/dossiers")
    items = list(ChecklistItem.objects.order_by("order"))
    if not items:
        return 0
    name = _sample()
    rows: list[Scan] = []
    written = 0
    members = Member.objects.filter(in_subtree("org_path", root.path)).order_by().values_list("id", "status")
    for member_id, status in members.iterator(chunk_size=BATCH):
        if rng.random() >= share:
            continue
        needed = [
            i for i in items if i.required and not (i.full_only and status == Member.Status.PROBATIONARY)
        ]
        if rng.random() < 0.5:
            chosen = needed + [i for i in items if not i.required and rng.random() < 0.3]
        else:
            chosen = rng.sample(needed, rng.randrange(0, len(needed)))
        for item in chosen:
            rows.append(Scan(member_id=member_id, item=item, file=name, original_name=f"{item.name}.pdf", kind="pdf",
                             size=len(SAMPLE), sha256="0" * 64))  # fmt: skip
        if len(rows) >= BATCH:
            Scan.objects.bulk_create(rows, batch_size=BATCH)
            written += len(rows)
            rows = []
    Scan.objects.bulk_create(rows, batch_size=BATCH)
    file_states_refresh(within_path=root.path)
    return written + len(rows)


def talents_write(*, root: Organization, seed: int = 2024, villages: int = 4, today: date) -> int:
    """Talents for a few villages: one above the targets, one short of people, one short of
    members, one with reserve cadres named. Once per tree; returns how many talents."""
    if Talent.objects.filter(in_subtree("org_path", root.path)).exists():
        return 0
    rng = random.Random(f"{seed}/talents")
    chosen = list(
        Organization.objects.filter(
            in_subtree("path", root.path), level=Organization.Level.VILLAGE, field=Organization.Field.RURAL
        ).order_by("path")[:villages]
    )
    plans = [(24, 6), (12, 3), (21, 2), (20, 4)]
    written = 0
    for village, (count, member_count) in zip(chosen, plans, strict=False):
        roster = list(
            Member.objects.filter(org_path=village.path).values_list("id", flat=True)[:member_count]
        )
        talents = [
            Talent(village=village, org_path=village.path, category=rng.choice(CATEGORIES),
                   name=rng.choice(TALENT_NAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                   contact=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                   member_id=roster[i] if i < len(roster) else None, note="")
            for i in range(count)
        ]  # fmt: skip
        Talent.objects.bulk_create(talents)
        written += len(talents)
        posts = [ReserveCadre.Post.SECRETARY, ReserveCadre.Post.COMMITTEE, ReserveCadre.Post.COMMITTEE]
        ReserveCadre.objects.bulk_create(
            ReserveCadre(talent=t, post=p, named_on=today - timedelta(days=90))
            for t, p in zip(talents, posts, strict=False)
        )
    return written


def community_write(*, root: Organization, seed: int = 2024, today: date) -> int:
    """A community with in-service members of the city's offices registered and two service
    activities. Once per tree; returns how many registrations."""
    community = (
        Organization.objects.filter(in_subtree("path", root.path), field=Organization.Field.COMMUNITY)
        .order_by("path")
        .first()
    )
    if community is None or CommunityRegistration.objects.filter(community=community).exists():
        return 0
    employed = list(
        Member.objects.filter(in_subtree("org_path", root.path), category=Member.Category.EMPLOYED)
        .exclude(org_path__startswith=community.path)
        .filter(community_registration__isnull=True)
        .order_by("org_path", "id")[:6]
    )
    rows = CommunityRegistration.objects.bulk_create(
        CommunityRegistration(member=m, community=community, community_path=community.path,
                              registered_on=today - timedelta(days=120)) for m in employed
    )  # fmt: skip
    for days, title, joined in ((60, "义务清扫楼道", employed[:4]), (20, "走访慰问困难群众", employed[2:])):
        activity = ServiceActivity.objects.create(community=community, community_path=community.path,
                                                  held_on=today - timedelta(days=days), title=title)  # fmt: skip
        activity.members.set(joined)
    return len(rows)


def demo_dossiers_ensure(*, root: Organization, today: date, seed: int = 2024) -> tuple[int, int, int]:
    """The demo's files (every member), talents and community registrations."""
    return (
        files_write(root=root, seed=seed, today=today),
        talents_write(root=root, seed=seed, today=today),
        community_write(root=root, seed=seed, today=today),
    )
