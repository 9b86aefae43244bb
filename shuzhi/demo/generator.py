"""A deterministic, realistic city of party organisations and members, as plain values.

Used by `load_demo` (a small city for the quick start) and `generate_city` (city scale for
benchmarks: 21,800 organisations, 290,000 members). Same seed and date, same city. The shape
follows the seeds: a 市委 over 7 county-level units with townships, villages and communities,
the 市直机关工委, state enterprises, colleges and hospitals, and the 两新 organisations under
townships. Members belong to 党支部 only.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from shuzhi.members.rules import id_check_character

PROVINCE_PREFIX = "3299"  # a prefix no real city uses

COUNTIES = [
    ("东湖区", "district"), ("西山区", "district"), ("南河区", "district"), ("北塘县", "county"),
    ("青石县", "county"), ("白马县", "county"), ("金沙市", "county_city"),
]  # fmt: skip
TOWN_STEMS = [
    "柳泉", "大庙", "汉王", "张集", "马坡", "黄集", "郑集", "房村", "伊庄", "单集", "棠张", "沙集", "岔河",
    "八集", "双沟", "官湖", "王集", "邢楼", "姚集", "古邳", "桃园", "高作", "新河", "庆安", "魏集", "梁集",
    "凌城", "土山", "八义集", "铁富", "港上", "四户", "时集", "合沟", "碾庄", "宿羊山", "岔路口", "李集",
    "青山泉", "茅村", "潘塘", "吕梁", "三堡", "利国", "徐庄", "塔山", "大吴", "三河尖",
]  # fmt: skip
STREET_STEMS = [
    "彭城",
    "子房",
    "黄河",
    "丰财",
    "云兴",
    "和平",
    "东环",
    "九里",
    "金山",
    "翠屏",
    "湖滨",
    "奎山",
]
VILLAGE_FIRST = list(
    "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高梁郑罗宋谢唐韩曹许邓萧冯曾程蔡彭潘袁于董余苏叶吕魏蒋田杜丁沈姜范江"
)
VILLAGE_SECOND = [
    "庄",
    "集",
    "楼",
    "营",
    "湖",
    "洼",
    "桥",
    "寨",
    "店",
    "圩",
    "口",
    "岗",
    "屯",
    "湾",
    "场",
    "河",
    "园",
    "坊",
]
COMMUNITY_STEMS = [
    "和平", "幸福", "振兴", "民主", "建国", "文化", "光明", "新华", "阳光", "滨湖", "康居", "金鼎", "春晖",
    "长安", "青年", "绿地", "锦绣", "翠园", "龙湖", "泰山", "东方", "朝阳", "育才", "丽景",
]  # fmt: skip
AGENCIES = [
    "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "水务局",
    "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局",
    "市场监督管理局", "统计局", "医疗保障局", "城市管理局", "行政审批局", "信访局", "机关事务管理局",
    "档案馆", "地方志办公室", "供销合作总社", "总工会", "团委", "妇女联合会", "科学技术协会", "残疾人联合会",
]  # fmt: skip
ENTERPRISES = ["交通投资集团", "城市建设投资集团", "水务集团", "国有资产投资经营集团", "文化旅游集团",
               "农业发展集团", "产业发展集团", "公共交通集团", "新盛建设集团", "港务集团"]  # fmt: skip
COLLEGES = [
    "云州学院",
    "云州工程学院",
    "云州医学院",
    "云州职业技术学院",
    "云州幼儿师范高等专科学校",
    "云州技师学院",
]
DEPARTMENTS = [
    "文学院", "外国语学院", "数学与统计学院", "物理与电子工程学院", "化学与材料学院", "计算机学院", "机电工程学院",
    "土木工程学院", "经济管理学院", "法学院", "马克思主义学院", "艺术学院", "体育学院", "教育科学学院", "医学院",
    "护理学院", "药学院", "生命科学学院", "环境工程学院", "建筑学院", "音乐学院", "传媒学院", "继续教育学院",
    "图书馆", "机关", "后勤服务中心", "国际交流学院", "信息工程学院", "智能制造学院", "现代农业学院",
]  # fmt: skip
HOSPITALS = [
    "第一人民医院",
    "中心医院",
    "中医院",
    "妇幼保健院",
    "传染病医院",
    "口腔医院",
    "精神卫生中心",
    "急救中心",
]
HOSPITAL_DEPARTMENTS = ["内科", "外科", "医技", "行政后勤", "护理", "离退休", "门诊", "儿科", "急诊", "药剂"]
COMPANY_STEMS = ["鼎盛", "恒通", "华润", "宏达", "金源", "天成", "瑞丰", "新程", "远航", "汇丰", "博远", "中联",
                 "永泰", "嘉禾", "兴业", "长青", "正大", "锦程", "同创", "安泰"]  # fmt: skip
COMPANY_TRADES = [
    "机械制造",
    "新材料",
    "电子科技",
    "物流",
    "食品",
    "纺织",
    "建材",
    "生物科技",
    "环保科技",
    "商贸",
]
SOCIAL_ORGS = [
    "个体劳动者协会",
    "律师协会",
    "物业管理协会",
    "社会工作服务中心",
    "志愿者协会",
    "商会",
    "养老服务中心",
]

# surname:weight, roughly each surname's share of the population in tenths of a percent
_SURNAME_TABLE = (
    "王:72 李:71 张:68 刘:53 陈:45 杨:31 黄:25 赵:22 吴:20 周:20 徐:17 孙:16 "
    "马:15 朱:14 胡:13 郭:12 何:12 高:11 林:11 罗:10 郑:10 梁:9 谢:8 宋:8 "
    "唐:7 许:7 韩:7 冯:7 邓:7 曹:7 彭:6 曾:6 肖:6 田:6 董:6 袁:5 潘:5 于:5 蒋:5 "
    "蔡:5 余:5 杜:5 叶:4 程:4 苏:4 魏:4 吕:4 丁:4 任:4 沈:4 姚:4 卢:4 姜:4 崔:3 "
    "钟:3 谭:3 陆:3 汪:3 范:3 金:3 石:3 廖:3 贾:3 夏:3 韦:3 付:3 方:3 白:3 邹:3 "
    "孟:3 熊:3 秦:3 邱:3 江:3 尹:3 薛:2 闫:2 段:2 雷:2 侯:2 龙:2 史:2 陶:2 黎:2 "
    "贺:2 顾:2 毛:2 郝:2 龚:2 邵:2 万:2 钱:2 严:2 覃:1 武:2 戴:2 莫:1 孔:1 向:1 "
    "欧阳:1 "
)
SURNAMES = tuple((name, int(weight)) for name, weight in (e.split(":") for e in _SURNAME_TABLE.split()))
MALE_CHARS = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
FEMALE_CHARS = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
MINORITIES = ["回族", "满族", "蒙古族", "壮族", "苗族", "土家族", "朝鲜族"]

# members per 党支部, as weights, by what kind of unit it is
PROFILE_WEIGHT = {
    "village": 45, "community": 35, "agency": 14, "soe": 24, "student": 40, "staff": 20,
    "hospital": 30, "private": 7, "social": 6,
}  # fmt: skip


@dataclass
class OrgSpec:
    name: str
    code: str
    kind: str
    level: str
    field: str
    profile: str = ""  # members' profile when this is a 党支部; "" for containers
    region: str = ""
    children: list["OrgSpec"] = field(default_factory=list)
    path: str = ""
    depth: int = 0
    member_target: int = 0
    member_count: int = 0
    probationary_count: int = 0
    # set when the node gets children after creation: its name changes with its kind
    stem: str = ""

    @property
    def is_branch(self) -> bool:
        return self.kind == "branch"


@dataclass(frozen=True)
class MemberSpec:
    name: str
    gender: str
    ethnicity: str
    birth_date: date
    id_number: str
    phone: str
    education: str
    joined_on: date
    full_member_on: date | None
    status: str
    category: str


def _path(parent_path: str, index: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digits = ""
    while index:
        index, rest = divmod(index, 36)
        digits = alphabet[rest] + digits
    return parent_path + digits.rjust(4, "0")


class CityGenerator:
    def __init__(self, *, seed: int, organizations: int, members: int, as_of: date, city: str = "云州"):
        self.seed = seed
        self.target_orgs = organizations
        self.target_members = members
        self.as_of = as_of
        self.city = city
        self.rng = random.Random(seed)
        self._id_serial: dict[tuple[str, date, str], int] = {}
        self._surnames = [s for s, _w in SURNAMES]
        self._surname_weights = [w for _s, w in SURNAMES]

    # ---- the tree -------------------------------------------------------------------------
    def organizations(self) -> list[OrgSpec]:
        """Every organisation in tree order (parents first), with paths and member targets."""
        root = self._skeleton()
        count = sum(1 for _ in self._walk(root))
        if count > self.target_orgs:
            raise ValueError(f"at least {count} organisations are needed for the city's skeleton")
        self._fill(root, self.target_orgs - count)
        self._finalise_kinds(root)
        self._assign_paths(root, "", 1)
        ordered = list(self._walk(root))
        self._allocate_members([o for o in ordered if o.is_branch])
        return ordered

    def _walk(self, node: OrgSpec) -> Iterator[OrgSpec]:
        stack = [node]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(current.children))

    def _scale(self, base: float, low: int, high: int) -> int:
        factor = (self.target_orgs / 21800) ** (1 / 3)
        return max(low, min(high, round(base * factor)))

    def _skeleton(self) -> OrgSpec:
        city = self.city
        root = OrgSpec(
            f"中共{city}市委员会",
            PROVINCE_PREFIX,
            "committee",
            "city",
            "agency",
            region=PROVINCE_PREFIX + "00",
        )
        towns = TOWN_STEMS.copy()
        self.rng.shuffle(towns)
        townships = self._scale(17, 2, 40)
        villages = self._scale(26, 2, 80)
        for c, (county, county_type) in enumerate(COUNTIES, start=1):
            code = f"{PROVINCE_PREFIX}{c:02d}"
            full_name = (
                f"中共{county}委员会" if county_type == "county_city" else f"中共{city}市{county}委员会"
            )
            county_node = OrgSpec(full_name, code, "committee", "county", "agency", region=code)
            root.children.append(county_node)
            for t in range(1, townships + 1):
                street = county_type == "district" and t % 3 == 0
                stem = (
                    STREET_STEMS[(c + t) % len(STREET_STEMS)] if street else towns[(c * 7 + t) % len(towns)]
                )
                tcode = f"{code}{t:03d}"
                if street:
                    town = OrgSpec(
                        f"中共{county}{stem}街道工作委员会",
                        tcode,
                        "working_committee",
                        "township",
                        "community",
                        region=code,
                    )
                else:
                    town = OrgSpec(
                        f"中共{county}{stem}镇委员会", tcode, "committee", "township", "rural", region=code
                    )
                county_node.children.append(town)
                for v in range(1, villages + 1):
                    if street:
                        vstem = f"{COMMUNITY_STEMS[(t * 5 + v) % len(COMMUNITY_STEMS)]}社区"
                        profile, vfield = "community", "community"
                    else:
                        vstem = f"{self.rng.choice(VILLAGE_FIRST)}{self.rng.choice(VILLAGE_SECOND)}村"
                        profile, vfield = "village", "rural"
                    town.children.append(
                        OrgSpec(
                            f"{vstem}党支部",
                            f"{tcode}{v:03d}",
                            "branch",
                            "village",
                            vfield,
                            profile=profile,
                            region=code,
                            stem=vstem,
                        )
                    )
            works = OrgSpec(
                f"中共{county}直属机关工作委员会",
                f"{code}J",
                "working_committee",
                "institution",
                "agency",
                region=code,
            )
            county_node.children.append(works)
            for a, agency in enumerate(AGENCIES[: self._scale(30, 1, len(AGENCIES))], start=1):
                stem = f"{county}{agency}机关"
                works.children.append(
                    OrgSpec(
                        f"{stem}党支部",
                        f"{code}J{a:03d}",
                        "branch",
                        "institution",
                        "agency",
                        profile="agency",
                        region=code,
                        stem=stem,
                    )
                )
        region = PROVINCE_PREFIX + "00"
        works = OrgSpec(
            f"中共{city}市直属机关工作委员会",
            f"{PROVINCE_PREFIX}J",
            "working_committee",
            "institution",
            "agency",
            region=region,
        )
        root.children.append(works)
        for a, agency in enumerate(AGENCIES[: self._scale(36, 2, len(AGENCIES))], start=1):
            stem = f"{city}市{agency}机关"
            works.children.append(
                OrgSpec(
                    f"{stem}党支部",
                    f"{PROVINCE_PREFIX}J{a:03d}",
                    "branch",
                    "institution",
                    "agency",
                    profile="agency",
                    region=region,
                    stem=stem,
                )
            )
        for e, name in enumerate(ENTERPRISES[: self._scale(8, 1, len(ENTERPRISES))], start=1):
            ecode = f"{PROVINCE_PREFIX}Q{e:02d}"
            enterprise = OrgSpec(
                f"中共{city}{name}有限公司委员会",
                ecode,
                "committee",
                "institution",
                "state_enterprise",
                region=region,
            )
            root.children.append(enterprise)
            for b in range(1, 3):
                enterprise.children.append(
                    OrgSpec(
                        f"{city}{name}第{_cn(b)}党支部",
                        f"{ecode}Z{b:03d}",
                        "branch",
                        "institution",
                        "state_enterprise",
                        profile="soe",
                        region=region,
                    )
                )
        for u, college in enumerate(COLLEGES[: self._scale(3, 1, len(COLLEGES))], start=1):
            ucode = f"{PROVINCE_PREFIX}G{u:02d}"
            school = OrgSpec(
                f"中共{college}委员会", ucode, "committee", "institution", "school", region=region
            )
            root.children.append(school)
            for d, department in enumerate(DEPARTMENTS[: self._scale(12, 2, len(DEPARTMENTS))], start=1):
                dcode = f"{ucode}D{d:02d}"
                dept = OrgSpec(
                    f"{college}{department}党总支",
                    dcode,
                    "general_branch",
                    "institution",
                    "school",
                    region=region,
                )
                school.children.append(dept)
                dept.children.append(
                    OrgSpec(
                        f"{department}教工党支部",
                        f"{dcode}Z001",
                        "branch",
                        "institution",
                        "school",
                        profile="staff",
                        region=region,
                    )
                )
                dept.children.append(
                    OrgSpec(
                        f"{department}学生党支部",
                        f"{dcode}Z002",
                        "branch",
                        "institution",
                        "school",
                        profile="student",
                        region=region,
                    )
                )
        for h, hospital in enumerate(HOSPITALS[: self._scale(4, 1, len(HOSPITALS))], start=1):
            hcode = f"{PROVINCE_PREFIX}Y{h:02d}"
            node = OrgSpec(
                f"中共{city}市{hospital}委员会", hcode, "committee", "institution", "hospital", region=region
            )
            root.children.append(node)
            for b, dept in enumerate(HOSPITAL_DEPARTMENTS[:2], start=1):
                node.children.append(
                    OrgSpec(
                        f"{city}市{hospital}{dept}党支部",
                        f"{hcode}Z{b:03d}",
                        "branch",
                        "institution",
                        "hospital",
                        profile="hospital",
                        region=region,
                    )
                )
        return root

    def _fill(self, root: OrgSpec, extra: int) -> None:
        """Grow the skeleton by `extra` 党支部 where real cities have them."""
        villages, agencies, townships, enterprises, departments, hospitals = [], [], [], [], [], []
        for node in self._walk(root):
            if node.profile in ("village", "community"):
                villages.append(node)
            elif node.profile == "agency":
                agencies.append(node)
            elif node.level == "township":
                townships.append(node)
            elif node.field == "state_enterprise" and node.kind == "committee":
                enterprises.append(node)
            elif node.kind == "general_branch":
                departments.append(node)
            elif node.field == "hospital" and node.kind == "committee":
                hospitals.append(node)
        pools = [
            (villages, 30),
            (agencies, 18),
            (townships, 36),
            (enterprises, 8),
            (departments, 4),
            (hospitals, 4),
        ]
        pools = [(pool, weight) for pool, weight in pools if pool]
        weights = [w for _p, w in pools]
        serial: dict[str, int] = {}
        for _ in range(extra):
            pool, _w = self.rng.choices(pools, weights=weights)[0]
            parent = self.rng.choice(pool)
            n = serial.get(parent.code, len(parent.children)) + 1
            serial[parent.code] = n
            parent.children.append(self._extra_child(parent, n))

    def _extra_child(self, parent: OrgSpec, n: int) -> OrgSpec:
        code = f"{parent.code}Z{n:03d}" if parent.level != "township" else f"{parent.code}F{n:03d}"
        if parent.profile in ("village", "community"):
            return OrgSpec(
                f"{parent.stem}第{_cn(n)}党支部",
                code,
                "branch",
                "village",
                parent.field,
                profile=parent.profile,
                region=parent.region,
            )
        if parent.profile == "agency":
            return OrgSpec(
                f"{parent.stem}第{_cn(n)}党支部",
                code,
                "branch",
                "institution",
                "agency",
                profile="agency",
                region=parent.region,
            )
        if parent.level == "township":
            if self.rng.random() < 0.8:
                name = f"{self.city}{self.rng.choice(COMPANY_STEMS)}{self.rng.choice(COMPANY_TRADES)}有限公司党支部"
                return OrgSpec(
                    name,
                    code,
                    "branch",
                    "institution",
                    "private_enterprise",
                    profile="private",
                    region=parent.region,
                )
            town = parent.name.removeprefix("中共").removesuffix("委员会").removesuffix("工作")
            return OrgSpec(
                f"{town}{self.rng.choice(SOCIAL_ORGS)}党支部",
                code,
                "branch",
                "institution",
                "social_organization",
                profile="social",
                region=parent.region,
            )
        if parent.field == "state_enterprise":
            base = parent.name.removeprefix("中共").removesuffix("委员会")
            return OrgSpec(
                f"{base}第{_cn(n)}党支部",
                code,
                "branch",
                "institution",
                "state_enterprise",
                profile="soe",
                region=parent.region,
            )
        if parent.kind == "general_branch":
            return OrgSpec(
                f"{parent.name.removesuffix('党总支')}第{_cn(n)}党支部",
                code,
                "branch",
                "institution",
                "school",
                profile=self.rng.choice(["staff", "student"]),
                region=parent.region,
            )
        base = parent.name.removeprefix("中共").removesuffix("委员会")
        return OrgSpec(
            f"{base}{HOSPITAL_DEPARTMENTS[n % len(HOSPITAL_DEPARTMENTS)]}第{_cn(n)}党支部",
            code,
            "branch",
            "institution",
            "hospital",
            profile="hospital",
            region=parent.region,
        )

    def _finalise_kinds(self, root: OrgSpec) -> None:
        """A 党支部 that was given 党支部 under it becomes a 党总支 (or a 党委 when large)."""
        for node in self._walk(root):
            if node.is_branch and node.children:
                if len(node.children) <= 6:
                    node.kind, node.name = "general_branch", f"{node.stem}党总支"
                else:
                    node.kind, node.name = "committee", f"中共{node.stem}委员会"
                node.profile = ""

    def _assign_paths(self, node: OrgSpec, parent_path: str, index: int) -> None:
        stack = [(node, parent_path, index, 1)]
        while stack:
            current, base, position, depth = stack.pop()
            current.path = _path(base, position)
            current.depth = depth
            for i, child in enumerate(current.children, start=1):
                stack.append((child, current.path, i, depth + 1))

    def _allocate_members(self, branches: list[OrgSpec]) -> None:
        """Share the members among 党支部 by their kind, exactly `target_members` in all."""
        weights = [PROFILE_WEIGHT[b.profile] * self.rng.uniform(0.5, 1.5) for b in branches]
        total = sum(weights)
        shares = [self.target_members * w / total for w in weights]
        counts = [int(s) for s in shares]
        remainder = self.target_members - sum(counts)
        for i in sorted(range(len(branches)), key=lambda i: shares[i] - counts[i], reverse=True)[:remainder]:
            counts[i] += 1
        for branch, count in zip(branches, counts, strict=True):
            branch.member_target = count

    # ---- the members ----------------------------------------------------------------------
    def members_for(self, branch: OrgSpec) -> list[MemberSpec]:
        members = [self._member(branch.profile, branch.region) for _ in range(branch.member_target)]
        branch.member_count = len(members)
        branch.probationary_count = sum(1 for m in members if m.status == "probationary")
        return members

    def _member(self, profile: str, region: str) -> MemberSpec:
        rng = self.rng
        female_share = {
            "student": 0.5,
            "hospital": 0.6,
            "staff": 0.45,
            "community": 0.45,
            "agency": 0.35,
        }.get(profile, 0.25)
        gender = "F" if rng.random() < female_share else "M"
        low, high, mode = {
            "village": (24, 92, 60), "community": (26, 95, 66), "agency": (24, 60, 42), "soe": (23, 60, 40),
            "student": (19, 25, 21), "staff": (26, 64, 42), "hospital": (24, 60, 38), "private": (22, 58, 36),
            "social": (25, 70, 45),
        }[profile]  # fmt: skip
        age = round(rng.triangular(low, high, mode))
        birth = self.as_of - timedelta(days=age * 365 + rng.randrange(365))
        if profile == "student":
            joined = self.as_of - timedelta(days=rng.randrange(20, 900))
        else:
            join_age = min(age, round(rng.triangular(18.5, 45, 26)))
            joined = birth + timedelta(days=join_age * 365 + rng.randrange(365))
            joined = min(joined, self.as_of - timedelta(days=rng.randrange(1, 400)))
        if (joined - birth).days < 18 * 366:
            joined = birth + timedelta(days=18 * 366 + rng.randrange(300))
        joined = min(joined, self.as_of - timedelta(days=1))
        probationary = (self.as_of - joined).days < 365
        full_on = None if probationary else joined + timedelta(days=365 + rng.randrange(0, 30))
        if full_on and full_on > self.as_of:
            full_on = None
            probationary = True
        education = self._education(profile, age, rng)
        category = self._category(profile, age, rng)
        ethnicity = "汉族" if rng.random() < 0.98 else rng.choice(MINORITIES)
        home = region if rng.random() < 0.8 else f"32{rng.randrange(1, 14):02d}{rng.randrange(1, 30):02d}"
        phone = "" if rng.random() < 0.08 else f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        return MemberSpec(
            name=self._name(gender, rng),
            gender=gender,
            ethnicity=ethnicity,
            birth_date=birth,
            id_number=self._id_number(home, birth, gender),
            phone=phone,
            education=education,
            joined_on=joined,
            full_member_on=full_on,
            status="probationary" if probationary else "full",
            category=category,
        )

    def _name(self, gender: str, rng: random.Random) -> str:
        surname = rng.choices(self._surnames, weights=self._surname_weights)[0]
        chars = FEMALE_CHARS if gender == "F" else MALE_CHARS
        given = rng.choice(chars) if rng.random() < 0.3 else rng.choice(chars) + rng.choice(chars)
        return surname + given

    @staticmethod
    def _education(profile: str, age: int, rng: random.Random) -> str:
        if profile == "student":
            return rng.choices(["bachelor", "postgraduate", "college"], weights=[70, 20, 10])[0]
        if profile in ("agency", "staff", "hospital"):
            return rng.choices(
                ["postgraduate", "bachelor", "college"], weights=[25 if age < 45 else 10, 60, 15]
            )[0]
        if profile in ("village",) and age >= 55:
            return rng.choices(
                ["junior", "high_school", "secondary_vocational", "college"], weights=[60, 28, 8, 4]
            )[0]
        return rng.choices(
            ["junior", "high_school", "secondary_vocational", "college", "bachelor", "postgraduate"],
            weights=[15, 20, 12, 25, 24, 4],
        )[0]

    @staticmethod
    def _category(profile: str, age: int, rng: random.Random) -> str:
        if profile == "student":
            return "student"
        if profile == "village":
            if rng.random() < 0.06:
                return "mobile"
            return "retired" if age >= 70 and rng.random() < 0.3 else "farmer"
        if profile == "community":
            return "retired" if age >= 60 else rng.choice(["employed", "employed", "other", "mobile"])
        return "retired" if age >= 60 else "employed"

    def _id_number(self, region: str, birth: date, gender: str) -> str:
        key = (region, birth, gender)
        n = self._id_serial.get(key, 0)
        self._id_serial[key] = n + 1
        serial = n * 2 + (1 if gender == "M" else 0)
        if serial > 999:
            raise ValueError("too many members share a region and birth date")
        body = f"{region}{birth:%Y%m%d}{serial:03d}"
        return body + id_check_character(body)


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


# ---- duty report texts ------------------------------------------------------------------------
# Sentences built clause by clause from the seeds' vocabulary (who, does what, to what, how much),
# so that two units' reports share the genre's words but no passage: the ground on which copies
# are planted for the analytics benchmark and the demo. No fixed stretch is longer than a few
# characters (a passage needs 32 shared characters in a row, give or take an edit).

_WHO = ["镇党委", "区委", "县委", "机关党委", "党总支", "驻村工作队", "各党支部", "领导班子", "党员干部", "村两委班子",
        "社区党委", "党建办", "组织委员", "第一书记", "网格党支部", "两新组织党委", "党群服务中心", "党员志愿服务队",
        "青年党员", "老党员", "党小组", "党建指导员", "机关支部", "非公企业党支部", "学校党委", "医院党委", "园区党委",
        "街道党工委", "村务监督委员会", "纪检委员"]  # fmt: skip
_DOES = ["大力推进", "深入开展", "扎实抓好", "认真落实", "持续深化", "全面推行", "集中整治", "专题研究", "逐项推动",
         "统筹抓好", "着力加强", "探索建立", "规范开展", "全力攻坚", "带头落实", "跟踪督办", "分类指导", "稳步实施",
         "定期调度", "主动承接", "常态开展", "系统推进", "严格执行", "认真组织", "高标准推进"]  # fmt: skip
_WHAT = ["村级组织建设", "两新组织党建", "党员队伍建设", "基层治理", "党群服务中心建设", "后备干部培养", "软弱涣散村整顿",
         "村集体经济发展", "城市社区党建", "党员教育管理", "书记领办项目", "网格化管理", "发展党员工作", "阵地建设",
         "民主评议党员", "流动党员管理", "志愿服务活动", "红色物业建设", "主题党日活动", "党建品牌创建", "村务公开",
         "四议两公开", "积分制管理", "承诺践诺", "结对共建", "人才回引", "矛盾纠纷排查", "政策宣讲", "项目攻坚",
         "乡村振兴", "人居环境整治", "困难党员帮扶", "党费收缴管理", "党员档案整理", "议事协商", "微心愿认领"]  # fmt: skip
_HOW_MUCH = ["，累计{n}次", "，覆盖{n}个村", "，投入资金{n}万元", "，惠及群众{n}户", "，参与党员{n}人", "，办结事项{n}件",
             "，完成率{n}%", "，新建阵地{n}处", "，选派干部{n}名", "，整改问题{n}个", "，走访群众{n}户", "，收集意见{n}条",
             "", "", ""]  # fmt: skip
_WHEN = [
    "{m}月以来",
    "今年以来",
    "{m}月份",
    "上半年",
    "下半年",
    "全年",
    "{m}月底前",
    "一季度",
    "三季度",
    "年初",
]
_WHERE = ["东关", "西河", "南湾", "北坡", "红旗", "幸福", "新庄", "柳林", "石桥", "花园", "桃园", "青龙", "白沙",
          "金山", "永安", "太平", "长青", "丰收", "前进", "光明", "黄楼", "孙庄", "刘集", "马湖"]  # fmt: skip
_WHERE_KIND = ["村", "社区", "片区", "园区", "小区", "街道"]
_LACK = ["组织生活记录不全", "后备干部储备不足", "党员年龄偏大", "阵地利用率不高", "集体经济收入偏低", "制度执行打折扣",
         "党费收缴不及时", "发展党员质量不高", "网格员配备不足", "议事程序不规范", "党建经费保障不足", "活动形式单一",
         "群众参与度不高", "整改进度滞后", "学习记录流于形式", "台账资料不规范", "党员联系群众不够", "示范带动作用弱"]  # fmt: skip
_EXTENT = [
    "，涉及{n}个支部",
    "，{n}个村存在",
    "（{n}处）",
    "，抽查{n}份",
    "",
    "",
    "，群众反映{n}次",
    "，占{n}%",
]
_OPENERS = {
    "problems": ["一是", "二是", "三是", "四是", "同时，", "此外，"],
    "causes": ["究其原因，", "从主观上看，", "从客观上看，", "深层次看，"],
    "measures": ["下一步，", "一要", "二要", "三要", "同时，"],
}
_SIZES = {"duty": 4, "personal": 3, "achievements": 5, "problems": 3, "causes": 2, "measures": 3,
          "last_year": 2, "discipline": 2}  # fmt: skip


class ReportWriter:
    """Deterministic duty-report texts: the same seed, unit and year give the same report."""

    def __init__(self, *, seed: int):
        self.seed = seed

    def _place(self, rng: random.Random) -> str:
        return rng.choice(_WHERE) + rng.choice(_WHERE_KIND)

    def _clause(self, rng: random.Random) -> str:
        who = rng.choice([rng.choice(_WHO), self._place(rng) + rng.choice(_WHO)])
        when = rng.choice(_WHEN).format(m=rng.randint(1, 12))
        amount = rng.choice(_HOW_MUCH).format(n=rng.randint(2, 980))
        return f"{when}{who}{rng.choice(_DOES)}{rng.choice(_WHAT)}{amount}"

    def _problem(self, rng: random.Random) -> str:
        tail = rng.choice(_EXTENT).format(n=rng.randint(2, 60))
        return f"{self._place(rng)}{rng.choice(['在', '的', '抓', ''])}{rng.choice(_WHAT)}{rng.choice(_LACK)}{tail}"

    def _sentence(self, key: str, rng: random.Random) -> str:
        opener = rng.choice(_OPENERS.get(key, [""]))
        if key == "problems":
            body = "，".join(self._problem(rng) for _ in range(rng.randint(1, 2)))
        else:
            body = "，".join(self._clause(rng) for _ in range(rng.randint(1, 3)))
        return f"{opener}{body}。"

    def report(self, unit_index: int, year: int, unit: str) -> dict[str, str]:
        """The eight sections of a unit's report of a year."""
        rng = random.Random(f"{self.seed}/{unit_index}/{year}")
        return {
            key: f"{unit}" + "".join(self._sentence(key, rng) for _ in range(size))
            for key, size in _SIZES.items()
        }


def plant(text: str, passage: str, rng: random.Random) -> str:
    """`text` with `passage` put in after one of its sentences."""
    ends = [i + 1 for i, char in enumerate(text) if char == "。"] or [len(text)]
    at = rng.choice(ends)
    return text[:at] + passage + text[at:]


# ---- organisational life (党员记实) ----------------------------------------------------------
_TOPICS = {
    "congress": ["学习贯彻党的二十届四中全会精神", "讨论接收预备党员", "通报上半年支部工作", "民主评议党员动员",
                 "审议支部年度工作计划", "讨论发展对象"],
    "committee": ["研究本月支部工作安排", "研究党员发展工作", "研究党费收缴情况", "研究困难党员帮扶",
                  "研究主题党日活动方案", "研究组织生活会准备工作"],
    "group": ["学习《中国共产党章程》", "交流学习体会", "学习习近平总书记重要讲话", "讨论为群众办实事清单"],
    "lecture": ["弘扬伟大建党精神", "牢记初心使命 争做合格党员", "学党史 悟思想", "严守纪律规矩",
                "以高质量党建引领乡村振兴"],
    "theme_day": ["重温入党誓词", "走访慰问困难群众", "环境整治志愿服务", "参观红色教育基地", "政策宣讲进院落",
                  "党员承诺践诺"],
    "life_meeting": ["年度组织生活会暨民主评议党员"],
}  # fmt: skip
ABSENCES = ["sick", "personal", "away", "away", "other"]  # 外出 is the commonest reason in villages


@dataclass(frozen=True)
class MeetingSpec:
    kind: str
    held_on: date
    topic: str
    by_secretary: bool = False  # a 党课 taught by the branch secretary


class RecordsPlan:
    """A branch's year of organisational life, deterministic by seed, branch and year: most
    branches keep every frequency, some miss a month or a quarter, a few keep little.
    Records never fall after `until` (today, for the running year)."""

    DILIGENT, SLIPPING, LAX = "diligent", "slipping", "lax"

    def __init__(self, *, seed: int):
        self.seed = seed

    def profile(self, rng: random.Random) -> str:
        roll = rng.random()
        return self.DILIGENT if roll < 0.62 else self.SLIPPING if roll < 0.9 else self.LAX

    def year(self, code: str, year: int, *, until: date, members: int = 7) -> list[MeetingSpec]:
        rng = random.Random(f"{self.seed}/records/{code}/{year}")
        profile = self.profile(rng)
        skip = {self.DILIGENT: 0.0, self.SLIPPING: 0.06, self.LAX: 0.45}[profile]
        out: list[MeetingSpec] = []

        def add(kind: str, month: int, first: int = 1, last: int = 28, **extra) -> None:
            if rng.random() < skip:
                return
            day = date(year, month, rng.randint(first, last))
            if day <= until:
                out.append(MeetingSpec(kind, day, rng.choice(_TOPICS[kind]), **extra))

        lecture_by_secretary = rng.randint(1, 4) if rng.random() > skip else 0
        for month in range(1, 13):
            if members >= 7:  # a smaller branch has a secretary, no committee
                add("committee", month, 1, 8)
            add("group", month, 9, 18)
            add("theme_day", month, 19, 28)
            if month % 3 == 2:
                add("congress", month)
            if month % 3 == 0:
                add("lecture", month, by_secretary=month // 3 == lecture_by_secretary)
        add("life_meeting", 12 if year < until.year or until.month == 12 else max(1, until.month - 1))
        return sorted(out, key=lambda m: (m.held_on, m.kind))
