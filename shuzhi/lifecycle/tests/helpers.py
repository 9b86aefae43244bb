from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shuzhi.demo.lifecycle import path_plan
from shuzhi.lifecycle import services
from shuzhi.lifecycle.models import Applicant, Step
from shuzhi.testing.factories import make_id_number


def at(day: date) -> datetime:
    """Ten in the morning of `day`, where the browser tests move the clock to."""
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "申请书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def start(
    *, actor, org, applied_on: date, birth: date | None = None, name: str = "孙立新", **extra
) -> Applicant:
    birth = birth or applied_on - timedelta(days=365 * 25)
    return services.applicant_create(
        actor=actor, organization=org, name=name, id_number=make_id_number(birth, "M"), phone="13812345678",
        education="bachelor", category="employed", applied_on=applied_on, **extra,
    )  # fmt: skip


def walk(applicant: Applicant, *, actor, until: str) -> Applicant:
    """Record the demo plan's steps not yet done, up to and including `until`."""
    plan = path_plan(applicant.applied_on)
    done = services.done_of(applicant)
    for step in Step.objects.exclude(code__in=done).order_by("order"):
        services.step_record(actor=actor, applicant=applicant, step=step, entry=plan[step.code])
        if step.code == until:
            break
    applicant.refresh_from_db()
    return applicant
