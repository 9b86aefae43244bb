import pytest
from django.core import mail
from django.urls import reverse

from shuzhi.core.models import Notification
from shuzhi.core.services import notify
from shuzhi.testing.jobs import run_queued_jobs

pytestmark = pytest.mark.django_db


def test_a_notification_shows_in_the_menu_count_and_is_read_from_its_page(client, cast):
    notify(recipients=[cast.township_secretary], text="请提交述职报告", link=reverse("reports:mine"))
    client.force_login(cast.township_secretary)
    home = client.get("/").content.decode()
    assert 'data-testid="notifications">通知 <span class="badge text-bg-warning">1</span>' in home
    page = client.get(reverse("core:notifications")).content.decode()
    assert "请提交述职报告" in page and reverse("reports:mine") in page
    client.post(reverse("core:notifications"))
    cast.township_secretary.refresh_from_db()
    assert cast.township_secretary.unread_notifications == 0
    assert Notification.objects.get().read_at is not None


def test_nobody_reads_another_persons_notifications(client, cast):
    notify(recipients=[cast.township_secretary], text="仅本人可见的提醒")
    client.force_login(cast.county_organiser)
    assert "仅本人可见的提醒" not in client.get(reverse("core:notifications")).content.decode()
    assert client.put(reverse("core:notifications")).status_code == 405


def test_with_a_mail_server_configured_the_reminder_also_goes_by_email_through_the_worker(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "mail.example.gov.cn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://shuzhi.example.gov.cn"
    cast.township_secretary.email = "li@example.gov.cn"
    cast.township_secretary.save()
    cast.county_organiser.email = ""
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[cast.township_secretary, cast.county_organiser],
            text="请于月底前提交述职报告",
            link="/reports/",
        )
    assert mail.outbox == []  # not in the request: the worker sends it
    run_queued_jobs()
    assert [m.to for m in mail.outbox] == [["li@example.gov.cn"]]
    assert "https://shuzhi.example.gov.cn/reports/" in mail.outbox[0].body


def test_without_a_mail_server_nothing_is_queued(cast, django_capture_on_commit_callbacks):
    cast.township_secretary.email = "li@example.gov.cn"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[cast.township_secretary], text="只在站内")
    run_queued_jobs()
    assert mail.outbox == []
