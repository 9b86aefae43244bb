from shuzhi.analytics.normalise import normalise
from shuzhi.analytics.tests.planted import SEEDS


def test_traditional_and_simplified_compare_equal():
    assert normalise("黨建職責述職").comparable == normalise("党建职责述职").comparable


def test_pinyin_annotations_urls_and_disclaimers_are_left_out():
    text = "市長(zhǎng)在黨建職責(zé)述職工作會(huì)(huì)發言\n導(dǎo)語(yǔ):一文來(lái)源於網(wǎng)友上傳,不代表本站觀點。\n見 http://www.example.cn/a.html 全文"
    assert normalise(text).comparable == "市长在党建职责述职工作会发言见全文"


def test_a_disclaimer_sentence_goes_but_not_the_paragraph_around_it():
    text = "全市党员总数超过29万。本文仅代表作者个人观点，与本网无关。各级党组织要认真落实。"
    assert normalise(text).comparable == "全市党员总数超过29万各级党组织要认真落实"


def test_full_width_digits_and_letters_become_half_width_and_punctuation_and_spaces_go():
    assert normalise("２０２２年 ， ＸＸ局　抓 基层").comparable == "2022年xx局抓基层"


def test_words_in_brackets_that_are_not_pinyin_stay():
    assert normalise("党委（工委）书记").comparable == "党委工委书记"


def test_every_comparable_character_maps_back_to_the_same_character_of_the_original():
    for path in sorted(SEEDS.glob("*.txt")):
        original = path.read_text(encoding="utf-8")
        n = normalise(original)
        for index in range(0, len(n.comparable), 7):
            assert n.folded[n.to_original(index)] == n.comparable[index]
        start, end = n.span_to_original(10, 60)
        assert normalise(original[start:end]).comparable == n.comparable[10:60]


def test_the_readable_text_folds_whitespace_and_keeps_punctuation():
    assert normalise("同志們：\n\n  今天  是黨的生日。").text == "同志们: 今天 是党的生日。"
