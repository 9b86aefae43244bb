"""How concrete a problem is: the specifics that count for it and the stock phrases against it.

A problem item that names numbers, places, dates, cases and people's roles tells the organiser
what is wrong and where; "思想认识不到位" says nothing a reader can check. Pure rules over the
normalised text; the reasons are shown with the reading so a secretary knows what to add.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shuzhi.analytics.normalise import fold

_NUMERAL = r"[0-9一二三四五六七八九十百千万两半]"
_MEASURE = (
    r"(?:个|名|人|次|件|项|条|处|户|家|所|天|月|年|期|场|篇|笔|万元|元|%|％|成|批|轮|份|村|镇|乡|支部|小时)"
)
_FOR: tuple[tuple[str, re.Pattern, float], ...] = (
    (
        "numbers",
        re.compile(rf"\d+(?:\.\d+)?\s*{_MEASURE}?|{_NUMERAL}{{1,4}}{_MEASURE}|百分之|\d+(?:\.\d+)?%"),
        1.0,
    ),
    (
        "dates",
        re.compile(r"\d{4}年|\d{1,2}月(?:份|\d{1,2}日)?|[上下]半年|第[一二三四]季度|年初|年底|今年|去年"),
        1.0,
    ),
    (
        "places",
        re.compile(
            r"(?<![各基层每个全有的些数农城社机])[\u4e00-\u9fff]{2,4}?(?:村|社区|街道|镇|乡|县|区|局|公司|学校|医院|小学|中学|园区)(?:党支部|党委|党总支)?"
        ),
        1.0,
    ),
    ("cases", re.compile(r"如|例如|比如|其中|[“「][^”」]{2,20}[”」]|某某|[\u4e00-\u9fff]某(?![些种])"), 0.8),
    (
        "roles",
        re.compile(
            r"第一书记|村支书|支部书记|党组织书记|村委会主任|组织委员|宣传委员|纪检委员|党务干部|驻村|网格员|"
            r"书记|主任|局长|镇长|乡长|委员(?!会)|预备党员|入党积极分子|流动党员|老党员|年轻党员"
        ),
        0.6,
    ),
)
STOCK_PHRASES: tuple[str, ...] = (
    "思想认识不到位",
    "思想认识不够到位",
    "学习不够深入",
    "学习不够系统",
    "创新意识不强",
    "创新意识不够",
    "有待加强",
    "有待提高",
    "有待进一步",
    "不够到位",
    "不够扎实",
    "不够深入",
    "不够有力",
    "不够严格",
    "不够规范",
    "不够明显",
    "不够充分",
    "不够强",
    "不够高",
    "还有差距",
    "存在差距",
    "存在薄弱环节",
    "薄弱环节",
    "存在不足",
    "重视程度不够",
    "力度不够",
    "力度不大",
    "抓得不紧",
    "抓得不实",
    "落实不到位",
    "作用发挥不充分",
    "作用发挥不够",
    "责任意识不强",
    "担当意识不强",
    "标准不高",
    "方法不多",
    "办法不多",
    "措施不够有力",
    "效果不明显",
    "成效不明显",
    "压力传导不够",
    "层层递减",
    "上热中温下冷",
    "两张皮",
    "重业务轻党建",
    "一定程度上",
    "不同程度",
)
# "一些村", "各乡镇": a kind of place, not a place
_NOT_A_NAME = (
    "一些",
    "有的",
    "个别",
    "部分",
    "少数",
    "某些",
    "各",
    "全",
    "每",
    "基层",
    "农村",
    "城市",
    "所有",
    "多个",
    "本",
)
_LEAD = re.compile(r"^(?:[一二三四五六七八九十]是|其中|同时|此外|以及|特别是|在|对|抓|和|与|的|州市|市)+")
_VAGUE_QUANTIFIERS = re.compile(r"有的|一些|个别|少数|部分|某些|有时")
_STOCK = tuple(fold(p) for p in STOCK_PHRASES)

LABELS = {
    "numbers": _("数字"),
    "dates": _("时间"),
    "places": _("地点或单位"),
    "cases": _("具体事例"),
    "roles": _("人员岗位"),
}

CONCRETE, PARTLY, VAGUE = "concrete", "partly", "vague"
READINGS = {CONCRETE: _("具体"), PARTLY: _("较笼统"), VAGUE: _("空泛")}


@dataclass(frozen=True)
class Reading:
    score: int  # 0–100
    level: str  # CONCRETE, PARTLY or VAGUE
    for_: tuple[tuple[str, str], ...]  # (kind, the words found)
    against: tuple[str, ...]  # the stock phrases and vague quantifiers found

    @property
    def label(self) -> str:
        return str(READINGS[self.level])

    @property
    def reasons(self) -> list[str]:
        out = [f"{LABELS[kind]}：{words}" for kind, words in self.for_]
        if self.against:
            out.append(f"{_('套话')}：{'、'.join(self.against)}")
        return out


def read(text: str) -> Reading:
    """The concreteness of one problem item, or of a whole problems section."""
    folded = fold(text)
    found: list[tuple[str, str]] = []
    points = 0.0
    for kind, pattern, weight in _FOR:
        words = []
        for match in pattern.finditer(folded):
            word = match.group().strip()
            if kind == "places":
                word = _LEAD.sub("", word)
                if len(word) < 3 or word.startswith(_NOT_A_NAME):
                    continue
            if word and word not in words:
                words.append(word)
        if words:
            found.append((kind, "、".join(words[:4])))
            points += weight * min(len(words), 3)
    against = [phrase for phrase in _STOCK if phrase in folded]
    vague = list(dict.fromkeys(_VAGUE_QUANTIFIERS.findall(folded)))
    # a longer text earns the same specifics more easily: scale by its length
    length = max(1, len(folded))
    penalty = 1.5 * len(against) + 0.5 * len(vague)
    density = points / max(1.0, length / 60)
    score = max(0, min(100, round(40 + 25 * density - 18 * penalty / max(1.0, length / 80))))
    level = CONCRETE if score >= 60 else PARTLY if score >= 40 else VAGUE
    return Reading(score, level, tuple(found), tuple(against + vague))
