"""The detector measured on an evaluation set made from the seeds (tests/planted.py): copies
planted verbatim, script-converted, lightly edited and from junk-laden traditional sources, with
negatives sharing only the genre's slogans.

Measured over the twelve sets below (seeds 100–111, 48 documents each, 485 planted passages of
50–400 characters, 485 findings): precision 1.000, recall 1.000. Over seeds 0–39 as well:
precision 1.000, recall 1.000. The test holds both at 0.98 or better.
"""

import json

import pytest
from django.core.management import call_command

from shuzhi.analytics import copies
from shuzhi.analytics.tests import planted

SETS = range(100, 112)


def _find(docs: dict[str, str]) -> list[copies.Finding]:
    return copies.find_all([copies.prepare(name, text) for name, text in sorted(docs.items())])


def test_precision_and_recall_on_the_planted_sets_are_at_least_098():
    found = missed = false = planted_total = 0
    for seed in SETS:
        docs, truth = planted.make_set(seed)
        findings = _find(docs)
        _, _, wrong, lost = planted.score(findings, truth)
        found += len(findings)
        false += len(wrong)
        missed += len(lost)
        planted_total += len(truth)
    precision = (found - false) / found
    recall = (planted_total - missed) / planted_total
    assert planted_total > 400
    assert precision >= 0.98, (precision, false)
    assert recall >= 0.98, (recall, missed)


@pytest.mark.parametrize("how", ["verbatim", "script", "edited", "edited_script", "junk"])
def test_each_kind_of_copy_is_found(how):
    docs, truth = planted.make_set(7)
    findings = _find(docs)
    kind = [p for p in truth if p.how == how]
    assert kind
    _, recall, _, _ = planted.score(findings, kind)
    assert recall == 1.0


def test_texts_sharing_only_slogans_and_stock_phrases_are_not_copies():
    slogans = "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神。一级抓一级、层层抓落实。"
    a = copies.prepare("a", "今年我们把村级阵地建设作为重点。" + slogans + "全年新建活动场所十二处。")
    b = copies.prepare("b", "本单位重点推进机关支部规范化。" + slogans + "下一步将继续加强队伍建设。")
    assert copies.compare(a, b) == []


def test_the_seeds_have_no_copies_between_them():
    docs = {path.name: path.read_text(encoding="utf-8") for path in planted.SEEDS.glob("*.txt")}
    assert _find(docs) == []


def test_a_passage_too_short_to_be_a_copy_is_not_one():
    shared = "村里建起了共享菜园和老年食堂"  # 14 characters
    a = copies.prepare("a", "我们" + shared + "，群众满意。")
    b = copies.prepare("b", "他们" + shared + "，效果很好。")
    assert copies.compare(a, b) == []


def test_a_finding_is_shown_on_the_original_text_of_both_sides():
    source = "導語:本站網友上傳。\n我們推行(xíng)村財鄉管村用,每一筆(bǐ)支出都由村民代表會議審議,全年為群眾辦成實事四十二件,村幹部和群眾之間的矛盾明顯減少。"
    copy = "今年的主要做法如下。我们推行村财乡管村用，每一笔支出都由村民代表会议审议，全年为群众办成实事四十二件，村干部和群众之间的矛盾明显减少。其他略。"
    a, b = copies.prepare("copy", copy), copies.prepare("source", source)
    [passage] = copies.compare(a, b)
    finding = copies.to_original(a, b, passage)
    assert copy[finding.start : finding.end].startswith("我们推行村财乡管村用")
    assert copy[finding.start : finding.end].endswith("矛盾明显减少。")
    assert source[finding.source_start : finding.source_end].startswith("我們推行(xíng)村財")
    assert source[finding.source_start : finding.source_end].endswith("明顯減少。")


def test_whole_document_minhash_would_not_see_a_planted_passage():
    """Why winnowing and not datasketch's MinHash: the Jaccard similarity of two reports'
    8-gram sets, one holding a planted passage of the other, stays far under any usable LSH
    threshold, while the winnowed fingerprints see the passage."""
    docs, truth = planted.make_set(3)
    plant = next(p for p in truth if 50 <= p.end - p.start <= 120 and p.how == "verbatim")
    a, b = copies.prepare("a", docs[plant.doc]), copies.prepare("b", docs[plant.source])

    def grams(text):
        return {text[i : i + copies.K] for i in range(len(text) - copies.K + 1)}

    ga, gb = grams(a.comparable), grams(b.comparable)
    assert len(ga & gb) / len(ga | gb) < 0.1
    assert copies.compare(a, b)


def test_find_copies_prints_one_json_line_per_passage_with_original_offsets(tmp_path, capsys):
    docs, truth = planted.make_set(5)
    for name, text in docs.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "notes.md").write_text("不是 txt，不读", encoding="utf-8")
    call_command("find_copies", str(tmp_path), "--json")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines and all(
        set(line) == {"doc", "start", "end", "source", "source_start", "source_end"} for line in lines
    )
    findings = [copies.Finding(**line, closeness=1.0, matched=0) for line in lines]
    precision, recall, _, _ = planted.score(findings, truth)
    assert precision >= 0.98 and recall >= 0.98
    assert findings == [
        copies.Finding(f.doc, f.start, f.end, f.source, f.source_start, f.source_end, 1.0, 0)
        for f in _find(docs)
    ]


def test_find_copies_refuses_a_missing_directory_and_a_file_that_is_not_utf8(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="目录不存在"):
        call_command("find_copies", str(tmp_path / "nowhere"), "--json")
    (tmp_path / "a.txt").write_bytes("党建".encode("gbk"))
    with pytest.raises(CommandError, match="不是 UTF-8"):
        call_command("find_copies", str(tmp_path), "--json")


def test_find_copies_counts_offsets_in_the_text_as_decoded_with_its_own_line_ends(tmp_path, capsys):
    passage = (
        "我们推行村财乡管村用，每一笔支出都由村民代表会议审议，全年为群众办成实事四十二件，矛盾明显减少。"
    )
    (tmp_path / "a.txt").write_bytes(("第一行\r\n第二行\r\n" + passage + "\r\n其他").encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(("\ufeff开头\r\n" + passage).encode("utf-8"))
    call_command("find_copies", str(tmp_path), "--json")
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    a = (tmp_path / "a.txt").read_bytes().decode("utf-8")
    b = (tmp_path / "b.txt").read_bytes().decode("utf-8")
    assert a[line["start"] : line["end"]] == passage
    assert b[line["source_start"] : line["source_end"]] == passage
