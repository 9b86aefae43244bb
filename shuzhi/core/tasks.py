from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_notification_mail(addresses: list[str], text: str, link: str) -> int:
    """Send one notification by e-mail, one message per address (no address sees another)."""
    body = f"{text}\n\n{settings.SITE_URL}{link}" if link else text
    return sum(
        send_mail("【述职评议考核】" + text[:60], body, settings.DEFAULT_FROM_EMAIL, [address])
        for address in addresses
    )
