"""Codes that match no slip are counted per source address: past the limit every door that takes a
ballot code (the typed code, the QR address, the cast, the scrutineer's sign-off code) answers 429
in Chinese before the code is looked up, until the window has passed; another address is not
affected. The count lives in the cache: in this process, or on Redis shared by every app server."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from shuzhi.ballots.models import Ballot
from shuzhi.testing.meetings import county_meeting, tokens
from shuzhi.testing.servers import redis_server

pytestmark = pytest.mark.django_db

A, B = "203.0.113.7", "198.51.100.9"
REFUSAL = "票码输入错误次数过多"


def _enter(client, code: str, address: str = A):
    return client.post(reverse("ballots:vote_enter"), {"code": code}, REMOTE_ADDR=address)


def _miss_until_limited(client, limit: int) -> None:
    for n in range(limit):
        assert _enter(client, f"AAAAA-AAAA{'ABCDEFGHJK'[n % 10]}").status_code == 400


def test_typed_codes_that_match_nothing_are_limited_per_address(client, cast, settings):
    settings.BALLOT_CODE_MISS_LIMIT = 5
    meeting = county_meeting(cast)
    good = tokens(meeting, "党员群众代表")[0]
    _miss_until_limited(client, 5)
    refused = _enter(client, good)  # even a good code: past the limit none is told from a bad one
    assert refused.status_code == 429 and REFUSAL in refused.content.decode()
    assert f"{django_settings.BALLOT_CODE_WINDOW_MINUTES} 分钟后再试" in refused.content.decode()
    vote = reverse("ballots:vote", args=[good])
    assert client.get(vote, REMOTE_ADDR=A).status_code == 429
    assert client.post(vote, {}, REMOTE_ADDR=A).status_code == 429 and not Ballot.objects.exists()
    assert client.post(reverse("ballots:sign_with_code"), {"code": "x" * 8}, REMOTE_ADDR=A).status_code == 429
    assert client.get(reverse("ballots:vote_enter"), REMOTE_ADDR=A).status_code == 200  # the form still shows
    # another address in the same minute is not affected
    assert _enter(client, good, B).status_code == 302
    assert client.get(vote, REMOTE_ADDR=B).status_code == 200


def test_the_qr_address_and_the_cast_count_their_misses_too_and_the_limit_lapses(client, cast, settings):
    settings.BALLOT_CODE_MISS_LIMIT = 5
    meeting = county_meeting(cast)
    good = tokens(meeting, "党员群众代表")[0]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(3):
            assert client.get(reverse("ballots:vote", args=[f"WRONG{n}"]), REMOTE_ADDR=A).status_code == 404
        for n in range(2):
            assert (
                client.post(reverse("ballots:vote", args=[f"BAD{n}"]), {}, REMOTE_ADDR=A).status_code == 404
            )
        assert _enter(client, good).status_code == 429
        clock.shift(timedelta(minutes=django_settings.BALLOT_CODE_WINDOW_MINUTES + 1))
        assert _enter(client, good).status_code == 302
    # a good code is not a miss: a room of voters typing their own codes is never refused
    for _ in range(8):
        assert _enter(client, good).status_code == 302


def test_the_address_is_kept_only_as_a_keyed_hash():
    from shuzhi.ballots import services

    services.code_miss_counted(A)
    assert A not in services._miss_key(A) and cache.get(services._miss_key(A)) == 1


def test_the_limit_holds_on_redis_shared_by_every_app_server(client, cast, tmp_path):
    from django.core.cache import caches
    from django.test import override_settings

    meeting = county_meeting(cast)
    good = tokens(meeting, "党员群众代表")[0]
    with redis_server(tmp_path / "redis") as url:
        redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                             "KEY_PREFIX": "shuzhi-test"}}  # fmt: skip
        with override_settings(CACHES=redis, BALLOT_CODE_MISS_LIMIT=5):  # undone before Redis stops
            assert "RedisCache" in type(caches["default"]).__name__
            _miss_until_limited(client, 5)
            assert _enter(client, good).status_code == 429
            assert _enter(client, good, B).status_code == 302
            cache.clear()  # the window ended, as Redis ends it
            assert _enter(client, good).status_code == 302
