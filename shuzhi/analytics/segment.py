"""Words for full-text search: jieba over the normalised text, so 黨建 and 党建 are one word."""

import logging
import re
from functools import cache

import jieba

from shuzhi.analytics.normalise import Normalised, normalise

_WORD = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


@cache
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def words(text: str, normalised: Normalised | None = None) -> list[str]:
    """The search words of a text: jieba's search mode (a long word and the words inside it),
    over letters, digits and Chinese characters only."""
    tokenizer = _tokenizer()
    out = []
    for run in _WORD.findall((normalised or normalise(text)).text.lower()):
        out.extend(word for word in tokenizer.cut_for_search(run) if word.strip())
    return out


def tokens(text: str) -> str:
    """The words of a text separated by spaces, as both full-text engines index them."""
    return " ".join(words(text))


def tokens_of(normalised: Normalised) -> str:
    return " ".join(words(normalised.original, normalised))


def query_words(query: str) -> list[str]:
    """The words a query must match: jieba's precise mode (each word once), so 党建工作 asks for
    the word 党建工作, which the search mode also indexed."""
    tokenizer = _tokenizer()
    out: list[str] = []
    for run in _WORD.findall(normalise(query).text.lower()):
        for word in tokenizer.cut(run):
            if word.strip() and word not in out:
                out.append(word)
    return out[:12]
