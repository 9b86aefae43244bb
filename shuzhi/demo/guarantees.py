"""基本保障 for the demo and the generated city: the city's floors of the year and every village's
and community's figures (most meeting every floor, some short of one or two norms, a few not
reported), written in bulk as generated rows; the demo's organiser also gets the 约谈 drafts."""

import random
from decimal import Decimal

from shuzhi.accounts.models import User
from shuzhi.core.roles import Role
from shuzhi.weakorgs import guarantee_selectors as gs
from shuzhi.weakorgs import guarantee_services
from shuzhi.weakorgs.models import GuaranteeFigure, GuaranteeFloor

FLOOR = {
    "rural_income": Decimal(21000), "operating_total": Decimal(11), "secretary_ratio": Decimal(2),
    "deputy_percent": Decimal(70), "dual_percent": Decimal(100), "office_funds": Decimal(2),
    "service_funds": Decimal(5), "training_per_member": Decimal(100), "workers_per_thousand": Decimal("1.8"),
}  # fmt: skip
REPORTED = 0.95
SHORT = 0.15
BATCH = 2000


def guarantees_write(*, root, year: int, seed: int, audited: bool = False) -> int:
    """The year's floors at `root` and the figures of every village and community under it. Done
    once; returns the figures written. `audited`: the floors through the service and the 约谈
    drafts suggested, as the demo's organiser would do."""
    if GuaranteeFigure.objects.filter(org_path__startswith=root.path, year=year).exists():
        return 0
    organiser = User.objects.filter(role=Role.ORGANISER, organization=root, is_active=True).first()
    if audited and organiser is not None and guarantee_services.may_set_floor(organiser):
        guarantee_services.floor_set(actor=organiser, year=year, **FLOOR)
    elif not GuaranteeFloor.objects.filter(organization=root, year=year).exists():
        if organiser is None:
            organiser = User.objects.create(username="city_guarantee_organiser", role=Role.ORGANISER,
                                            organization=root, full_name="市委组织部")  # fmt: skip
        GuaranteeFloor.objects.create(
            organization=root, org_path=root.path, year=year, updated_by=organiser, **FLOOR
        )
    rng = random.Random(f"{seed}/guarantees/{year}")
    pay = FLOOR["rural_income"] * FLOOR["secretary_ratio"]
    rows = []
    for unit in gs.units_under(root.path):
        if rng.random() > REPORTED:
            continue
        members = unit.members or rng.randint(8, 40)
        community = unit.field == "community"
        residents = rng.randint(3000, 12000) if community else None
        values = {
            "operating_total": FLOOR["operating_total"] + rng.randint(0, 8), "secretary_pay": pay + rng.randint(0, 12) * 500,
            "dual_role": rng.random() < 0.6, "office_funds": FLOOR["office_funds"] + rng.randint(0, 2),
            "service_funds": FLOOR["service_funds"] + rng.randint(0, 5),
            "training_funds": FLOOR["training_per_member"] * members + rng.randint(0, 20) * 50, "members": members,
            "residents": residents,
            "workers": gs.g.workers_required(residents, FLOOR["workers_per_thousand"]) + rng.randint(0, 3)
            if community else None,
        }  # fmt: skip
        values["deputy_pay"] = (values["secretary_pay"] * Decimal("0.75")).quantize(Decimal(1))
        if rng.random() < SHORT:  # short of one or two norms, as the seeds' sanction expects
            for key in rng.sample(
                ["operating_total", "secretary_pay", "office_funds", "service_funds"], rng.randint(1, 2)
            ):
                values[key] = (values[key] * Decimal("0.8")).quantize(Decimal("0.01"))
        rows.append(GuaranteeFigure(organization_id=unit.id, org_path=unit.path, year=year, **values))
    GuaranteeFigure.objects.bulk_create(rows, batch_size=BATCH)
    if audited and organiser is not None and organiser.organization_id == root.pk:
        guarantee_services.talks_suggest(actor=organiser, year=year)
    return len(rows)
