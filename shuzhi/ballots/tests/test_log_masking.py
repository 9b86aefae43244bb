import logging

from shuzhi.ballots.logging import RedactBallotCodes


def _masked(message: str, *args) -> str:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, message, args or None, None)
    RedactBallotCodes().filter(record)
    return record.getMessage()


def test_ballot_codes_and_display_links_are_masked_in_log_lines():
    assert _masked('"GET /v/AbC-12_x/ HTTP/1.1" 200') == '"GET /v/***/ HTTP/1.1" 200'
    assert _masked('"GET %s HTTP/1.1" 200', "/ballots/s/Tok3n_-xyz/") == '"GET /ballots/s/***/ HTTP/1.1" 200'
    assert _masked("Not Found: /records/v/QWERTY123/") == "Not Found: /records/v/***/"
    assert (
        _masked('"GET /lifecycle/test/K7M2Q9PX/ HTTP/1.1" 200') == '"GET /lifecycle/test/***/ HTTP/1.1" 200'
    )
    assert _masked('"POST /lifecycle/test/ HTTP/1.1" 302') == '"POST /lifecycle/test/ HTTP/1.1" 302'


def test_the_thanks_page_stays_readable():
    assert _masked('"GET /v/done/ HTTP/1.1" 200') == '"GET /v/done/ HTTP/1.1" 200'
