"""Intranet first and secure by default: headers, and nothing fetched from elsewhere."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_pages_carry_a_content_security_policy_of_the_apps_own_origin(client, db):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "http" not in policy


def test_pages_carry_the_other_security_headers(client, db):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_names_an_outside_address_or_inline_script_or_style():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path
        assert "<script>" not in text and not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\sstyle=\"", text), path
        assert "<style" not in text, path


def test_vendored_assets_are_in_the_repository():
    vendor = Path(settings.BASE_DIR) / "static" / "vendor"
    for name in (
        "bootstrap-5.3.8/bootstrap.min.css",
        "bootstrap-5.3.8/bootstrap.bundle.min.js",
        "htmx-2.0.8/htmx.min.js",
    ):
        asset = vendor / name
        assert asset.stat().st_size > 10_000, name
        assert "sourceMappingURL" not in asset.read_text(errors="ignore"), name


def test_passwords_are_hashed_with_argon2():
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_the_session_cookie_is_http_only_and_expires_when_idle():
    """The idle expiry itself is tried in accounts/tests/test_session_policy.py: the middleware
    moves it on (and so writes the session) at most once a minute, not on every request."""
    assert settings.SESSION_COOKIE_HTTPONLY
    assert "shuzhi.accounts.middleware.SessionPolicyMiddleware" in settings.MIDDLEWARE
    assert not settings.SESSION_SAVE_EVERY_REQUEST
