"""With SHUZHI_HTTPS=1: plain http is redirected, HSTS covers subdomains, forwarding headers are
believed from the configured proxies only, and request bodies are bounded before they are read."""

import json
import os
import subprocess
import sys
from urllib.parse import urlencode

from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.testing.factories import PASSWORD


def _settings_with(**env) -> dict:
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps({n: getattr(s, n, None) for n in ('SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS',"
        " 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_PROXY_SSL_HEADER', 'TRUSTED_PROXIES',"
        " 'SESSION_COOKIE_SECURE', 'DATA_UPLOAD_MAX_MEMORY_SIZE', 'MAX_UPLOAD_BYTES')}))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    result = subprocess.run(  # noqa: S603 — our own interpreter and code
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True,
        cwd=django_settings.BASE_DIR,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_settings_redirect_and_send_hsts_with_subdomains():
    on = _settings_with(SHUZHI_HTTPS="1", SHUZHI_TRUSTED_PROXIES="10.0.0.1, 192.168.0.0/24")
    assert on["SECURE_SSL_REDIRECT"] is True and on["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert on["SECURE_HSTS_SECONDS"] >= 31536000 and on["SESSION_COOKIE_SECURE"] is True
    assert on["TRUSTED_PROXIES"] == ["10.0.0.1", "192.168.0.0/24"]
    assert on["DATA_UPLOAD_MAX_MEMORY_SIZE"] and on["MAX_UPLOAD_BYTES"] == 70 * 1024 * 1024
    off = _settings_with(SHUZHI_HTTPS="0")
    assert not off["SECURE_SSL_REDIRECT"] and not off["SECURE_HSTS_SECONDS"]


def test_plain_http_is_redirected_and_https_gets_hsts(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 301 and response["Location"].startswith("https://")
    response = client.get(reverse("accounts:login"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_client_cannot_claim_https_or_choose_its_logged_address(client, cast, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    forged = {
        "HTTP_X_FORWARDED_FOR": "1.2.3.4",
        "HTTP_X_FORWARDED_PROTO": "https",
        "REMOTE_ADDR": "203.0.113.9",
    }
    response = client.get(reverse("accounts:login"), **forged)
    assert response.status_code == 301  # the forged proto is not believed: still sent to https
    client.post(reverse("accounts:login"), {"username": "county_org", "password": PASSWORD}, secure=True,
                **forged)  # fmt: skip
    assert AuditEvent.objects.get(action="auth.login").ip == "203.0.113.9"


def test_the_trusted_proxy_gives_the_clients_address_and_scheme(client, cast, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXIES = ["10.0.0.1", "10.9.0.0/16"]
    via_proxy = {
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7, 10.9.3.3",  # the first is the client's own claim
        "HTTP_X_FORWARDED_PROTO": "https",
    }
    assert client.get(reverse("accounts:login"), **via_proxy).status_code == 200
    client.post(reverse("accounts:login"), {"username": "county_org", "password": PASSWORD}, **via_proxy)
    assert AuditEvent.objects.get(action="auth.login").ip == "198.51.100.7"


def test_lockout_follows_the_address_the_proxy_reports(client, cast, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "county_org", "password": "Wrong-Pass-1"},
                    REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")  # fmt: skip
    right = {"username": "county_org", "password": PASSWORD}
    locked = client.post(
        reverse("accounts:login"), right, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert locked.status_code == 403
    other = client.post(
        reverse("accounts:login"), right, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert other.status_code == 302


def test_the_anonymous_ballot_page_refuses_a_large_body_before_reading_it(client, db):
    url = reverse("ballots:vote", args=["ABCD2345EFGH"])
    response = client.post(url, {"suggestion": "意" * 30_000})
    assert response.status_code == 413 and "提交的内容过大" in response.content.decode()
    assert client.post(url, {"suggestion": "意见"}).status_code == 404  # a small one reaches the page


def test_a_form_larger_than_the_form_limit_is_refused(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = urlencode({"username": "x", "password": "p" * 20_000})
    response = client.post(reverse("accounts:login"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert not AuditEvent.objects.filter(action="auth.login_failed").exists()


def test_an_upload_larger_than_the_upload_limit_is_refused(client, cast, settings):
    settings.MAX_UPLOAD_BYTES = 50_000
    client.force_login(cast.county_organiser)
    url = reverse("exchange:index")
    big = SimpleUploadedFile("党员.xlsx", b"0" * 60_000)
    assert client.post(url, {"file": big}).status_code == 413
    small = SimpleUploadedFile("党员.xlsx", b"0" * 1_000)
    assert client.post(url, {"file": small}).status_code != 413


def test_a_malformed_proxy_address_stops_the_start_up():
    code = "import django; django.setup()"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SHUZHI_TRUSTED_PROXIES": "10.0.0.1, nginx",
    }
    result = subprocess.run(  # noqa: S603 — our own interpreter and code
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True,
        cwd=django_settings.BASE_DIR,
    )  # fmt: skip
    assert result.returncode != 0 and "'nginx' is not an address or network" in result.stderr
