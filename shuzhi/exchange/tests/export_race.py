"""Export a roster while its job page is polled, on an embedded SQLite file as `make run` has it.

Run by test_export_while_polled in a process of its own (the test suite's SQLite database lives in
memory, where locking works differently): `python -m shuzhi.exchange.tests.export_race DIR N R`
migrates a fresh database in DIR, registers N members, then R times runs an export in one thread
(the worker) while the main thread polls the job's progress page as fast as it answers (each poll
saves the session, as every request does). Prints one JSON line: each round's status, message and
the number of polls that saw the export under way.
"""

import json
import os
import sys
import threading
from datetime import date


def main(data_dir: str, members: int, rounds: int) -> None:
    os.environ["SHUZHI_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["SHUZHI_HTTPS"] = "0"  # the test client speaks plain http
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    from shuzhi.accounts.models import User
    from shuzhi.exchange import services
    from shuzhi.exchange.models import ExchangeJob
    from shuzhi.members.models import Member
    from shuzhi.members.services import org_counters_rebuild
    from shuzhi.orgs.services import organization_create
    from shuzhi.testing.factories import make_id_number

    settings.ALLOWED_HOSTS = ["testserver"]
    services.EXPORT_PROGRESS_EVERY = 250  # many progress writes: many chances to collide
    call_command("migrate", verbosity=0)
    city = organization_create(actor=None, parent=None, name="中共云州市委员会", code="3299", kind="committee",
                               level="city", field="agency")  # fmt: skip
    branch = organization_create(actor=None, parent=city, name="市委办公室党支部", code="329901", kind="branch",
                                 level="institution", field="agency")  # fmt: skip
    user = User.objects.create(
        username="organiser", full_name="市委组织部", role="organiser", organization=city
    )
    people = []
    for i in range(members):
        member = Member(
            name=f"党员{i}", gender="M", ethnicity="汉族", birth_date=date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
            education="bachelor", joined_on=date(2005, 7, 1), full_member_on=date(2006, 7, 1), status="full",
            category="employed", organization=branch, org_path=branch.path,
        )  # fmt: skip
        member.set_id_number(make_id_number(member.birth_date, "M"))
        member.set_phone("")
        people.append(member)
    Member.objects.bulk_create(people, batch_size=2000)
    org_counters_rebuild(root=city)

    client = Client()
    client.force_login(user)
    outcomes = []
    for _round in range(rounds):
        job = services.export_job_create(actor=user, kind=ExchangeJob.Kind.MEMBERS, parameters={})

        def work(job_id: int = job.pk) -> None:
            try:
                services.exchange_job_run(job_id=job_id)
            finally:
                connections.close_all()

        worker = threading.Thread(target=work)
        worker.start()
        polls = under_way = 0
        url = reverse("exchange:progress", args=[job.pk])
        while worker.is_alive():
            response = client.get(url)
            polls += 1
            if response.status_code != 200:
                raise SystemExit(f"poll answered {response.status_code}")
            under_way += 'data-status="exporting"' in response.content.decode()
        worker.join()
        job.refresh_from_db()
        outcome = {"status": job.status, "message": job.message, "rows": job.total_rows}
        outcomes.append({**outcome, "polls": polls, "under_way": under_way})
    print(json.dumps(outcomes, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
