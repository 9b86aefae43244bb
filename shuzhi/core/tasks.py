from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task


@task()
def send_notification_mail(addresses: list[str], text: str, link: str) -> int:
    """Send one notification by e-mail, one message per address (no address sees another)."""
    body = f"{text}\n\n{settings.SITE_URL}{link}" if link else text
    return sum(
        send_mail("【述职评议考核】" + text[:60], body, settings.DEFAULT_FROM_EMAIL, [address])
        for address in addresses
    )


ANCHOR_EVERY = timedelta(minutes=5)


@task()
def anchor_audit_every_few_minutes() -> int:
    """Write the audit chain head outside the database, then queue itself again."""
    from shuzhi.core.services import audit_head_anchor

    seq, _digest = audit_head_anchor()
    anchor_audit_every_few_minutes.using(run_after=timezone.now() + ANCHOR_EVERY).enqueue()
    return seq
