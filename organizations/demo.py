"""A deterministic demo county, 清溪县, for ``python manage.py seed_demo``.

What it builds — the same every run, because one seeded ``random.Random`` and one seeded
``Faker("zh_CN")`` drive every choice in a fixed order, and no date depends on today:

- the fictional county 清溪县 (statistical code 331128000000) with 12 streets, towns and
  townships (``331128 + 3 digits + 000``) and their communities and villages;
- ``units`` 两新组织 (default 800; ≈80 % enterprises, ≈20 % social organizations) with
  valid, unique unified social credit codes and a skewed size distribution;
- party organizations of every type and formation: enterprise committees with general
  branches and branches, standalone general branches and branches, joint branches of
  nearby units, affiliated branches, and a comprehensive committee (综合党委) per larger
  township; about a third of the active units stay uncovered, and a few organizations
  deliberately break a structure rule so the warnings show;
- 党建指导员 (3–4 per township, one or two overloaded) and 党务工作者 (≈1 per party org);
- the demo accounts of ``DEMO_ACCOUNTS``, all with password ``demo12345``, and an API token.

Registry rows are written through :mod:`organizations.services` by the ``admin`` account,
so each has an audit row; areas and accounts are created directly.

Extension point for later apps
------------------------------
After the registry, :func:`build_demo` calls ``config.demo_builder(context)`` for every
installed app config, in INSTALLED_APPS order, that has a callable ``demo_builder``
attribute; ``context`` is the :class:`DemoContext` below.  Set it in ``ready()``::

    class MembersConfig(AppConfig):
        def ready(self):
            from .demo import build_demo_dossiers   # def build_demo_dossiers(context): ...
            self.demo_builder = build_demo_dossiers

Draw from ``context.rng`` and ``context.fake`` (already seeded; keep a fixed order and the
demo stays deterministic), write through your services with ``by=context.admin``, and
append Chinese lines to ``context.notes`` to have them printed in the command's summary.
Before ``seed_demo --reset`` deletes the registry, every app config with a callable
``demo_reset`` attribute is called (reverse INSTALLED_APPS order, no arguments) so it can
delete its own rows that point at units, party organizations or accounts.  The whole
build runs in one transaction.
"""
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from faker import Faker
from rest_framework.authtoken.models import Token
from stdnum.cn import uscc as uscc_standard

from accounts.models import Role

from . import services
from .choices import AreaLevel, Employment, Formation, OrganizationKind, OrganizationStatus, PartyOrgType, SubKind
from .models import Area, Instructor, Organization, PartyOrganization, PartyWorker
from .structure_rules import THRESHOLDS

SEED = 20250701
DEMO_PASSWORD = "demo12345"
DEFAULT_UNITS = 800
MIN_UNITS, MAX_UNITS = 30, 2000
COUNTY_CODE, COUNTY_NAME, COUNTY_SHORT = "331128", "清溪县", "清溪"
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2025, 12, 31)  # fixed: the demo never depends on today

# (3 digits, name, level, share of units, communities/villages as "3 digits + name"):
# streets 0xx, towns 1xx, townships 2xx; residents' committees 0xx, villages 2xx.
TOWNSHIPS = [
    ("001", "城关街道", AreaLevel.STREET, 1.6, "001府前社区 002解放路社区 003文昌社区 004城东社区 005城西社区"),
    ("002", "溪东街道", AreaLevel.STREET, 1.4, "001溪东社区 002新华社区 003江滨社区 201长丰村"),
    ("003", "凤山街道", AreaLevel.STREET, 1.2, "001凤山社区 002翠屏社区 003工业园社区"),
    ("101", "青石镇", AreaLevel.TOWNSHIP, 1.0, "001青石社区 201上洋村 202下洋村 203枫树湾村"),
    ("102", "白沙镇", AreaLevel.TOWNSHIP, 0.9, "001白沙社区 201沙溪村 202柳林村"),
    ("103", "龙潭镇", AreaLevel.TOWNSHIP, 0.9, "001龙潭社区 201龙门村 202石桥村 203后垟村"),
    ("104", "桃源镇", AreaLevel.TOWNSHIP, 0.8, "001桃源社区 201桃花村 202金坑村"),
    ("105", "石门镇", AreaLevel.TOWNSHIP, 0.8, "001石门社区 201岩下村 202东岙村 203前山村 204黄坛村"),
    ("106", "南塘镇", AreaLevel.TOWNSHIP, 0.7, "001南塘社区 201塘头村"),
    ("201", "梅岭乡", AreaLevel.TOWNSHIP, 0.4, "201梅岭村 202大坪村"),
    ("202", "竹溪乡", AreaLevel.TOWNSHIP, 0.35, "201竹溪村 202茶园村 203坑口村"),
    ("203", "云峰乡", AreaLevel.TOWNSHIP, 0.3, "201云峰村 202高山村"),
]
ROADS = "人民路 建设路 工业路 新华街 环城北路 环城南路 创业大道 兴业路 文化路 老街".split()

BRANDS = """恒达 鑫源 华瑞 永盛 宏远 金鼎 博远 天成 润泽 信诚 瑞丰 隆昌 顺发 嘉禾 万利 景程 佳航 泰和 广源 兴业
振华 昌盛 丰泽 宏图 宝隆 盛世 新锐 祥云 德润 合力 旭日 创联 金诺 开元 海川 同德 明辉 锦程 立信 远航 众鑫 美华
安达 康泰 聚福 久隆 晨光 青禾 清源 溪谷 凤鸣 翠峰 竹韵 茂林 绿源 百川 和顺 东升 亿发 通达 联创 精工 恒信 益民
鸿运 德丰 华诚 永康 长青 荣昌 天元 腾飞 银河 金桥 鼎盛 蓝海 星辰 晶华 沃土 诚达 优品 乐业 富源 福临 金穗 禾丰
方圆 汇智 睿思 科越 凯达 宇航 华信 新源 大成 正阳 巨力 恒久 思源 万家 安居 悦来 源隆 敦和 泓澄 嘉信 盛达 鼎新
锦华 秀峰 瑞祥 利民 启航 众诚 佳美 宏鑫 天和 同心 文华 云帆""".split()

# GB/T 4754 section: (weight among enterprises, words of a company name)
ENTERPRISE_INDUSTRIES = {
    "A": (5, "生态农业 农业开发 茶业 果蔬种植 水产养殖 林业开发 食用菌"),
    "B": (0.5, "矿业 石料 建材矿业"),
    "C": (24, "机械制造 电子科技 纺织 食品 新材料 五金制品 竹木制品 塑料制品 服饰 汽车配件 阀门 包装材料 家具 电器 模具 鞋业 印刷"),
    "D": (1, "水务 燃气 新能源 光伏电力"),
    "E": (9, "建筑工程 建设 装饰工程 市政工程 水电安装 钢结构"),
    "F": (20, "商贸 贸易 百货 农资 医药连锁 建材 汽车销售 电子商务"),
    "G": (5, "物流 运输 快递 客运 仓储"),
    "H": (8, "酒店 餐饮管理 宾馆 民宿 农家乐"),
    "I": (5, "网络科技 信息技术 软件 数据科技 通信工程"),
    "J": (0.5, "小额贷款 融资担保"),
    "K": (3, "房地产开发 物业管理 置业"),
    "L": (7, "企业管理咨询 人力资源 广告 会展服务 旅行社 劳务派遣"),
    "M": (4, "检测技术 工程设计 环保科技 测绘 技术服务"),
    "N": (2, "环境工程 园林绿化 保洁服务 水利工程"),
    "O": (5, "家政服务 汽车维修 洗涤服务 美容美发"),
    "P": (1, "教育科技 职业培训"),
    "Q": (1.5, "医疗管理 健康管理"),
    "R": (2, "文化传媒 体育发展 影视 文化旅游"),
}
# industry tilt by township level: streets are commercial, 乡 rural
INDUSTRY_TILT = {
    AreaLevel.STREET: {"A": 0.3, "B": 0, "I": 1.6, "K": 1.6, "L": 1.6, "O": 1.5, "H": 1.3},
    "乡": {"A": 3, "H": 2, "C": 0.5, "I": 0.2, "K": 0.3, "L": 0.3},
}
SOLE_PROPRIETORSHIP = {  # 个人独资企业: section -> name endings
    "C": "五金加工厂 竹木制品厂 服装加工厂 塑料制品厂 机械配件厂 印刷厂",
    "A": "家庭农场 生态农场 养殖场 茶厂",
    "F": "商行 贸易商行 建材经营部 日用品经营部",
    "H": "酒楼 饭店 农家菜馆",
    "O": "汽车修理厂 家电维修服务部 洗涤服务部",
    "E": "装饰工程部",
    "G": "货运部",
}
INDIVIDUAL_BUSINESS = {  # 个体工商户: section -> shop kinds
    "F": "便利店 超市 五金店 水果店 建材店 日杂店 烟酒店",
    "H": "小吃店 面馆 饭店 早餐店 土菜馆 烧烤店",
    "O": "汽车修理部 理发店 干洗店 家电维修部 摄影店",
    "A": "家庭农场 养殖场",
    "C": "竹编作坊 豆腐坊 米粉加工坊",
}
PARTNERSHIP = {"L": "企业管理咨询 商务信息咨询", "J": "股权投资 创业投资", "M": "科技服务 工程技术咨询"}
ASSOCIATIONS = """个体劳动者协会 私营企业协会 餐饮行业协会 建筑业协会 物流协会 电子商务协会 青年企业家协会 女企业家协会
摄影家协会 书法家协会 美术家协会 作家协会 音乐家协会 老年体育协会 钓鱼协会 登山协会 篮球协会 围棋协会 茶叶协会 竹产业协会
食用菌协会 家庭农场协会 旅游协会 民宿协会 汽车维修行业协会 建筑装饰行业协会 房地产业协会 慈善总会 志愿者协会 乡贤联谊会
企业家联合会 质量协会 科普协会 教育学会 医学会 农学会 历史文化研究会 楹联学会 老科技工作者协会 养蜂协会 中药材协会""".split()
TOWNSHIP_ASSOCIATIONS = "商会 乡贤联谊会 老年体育协会 茶叶协会 志愿者协会 文化体育协会".split()
VILLAGE_ASSOCIATIONS = "老年协会 乡贤会 文体协会 红白理事会 志愿服务协会".split()
HOMETOWN_CHAMBERS = "温州 台州 金华 福建 安徽 江西 湖南 四川".split()
FOUNDATIONS = "教育发展 慈善 见义勇为 青少年发展 乡村振兴 文化发展 老年福利 助学 医疗救助 生态保护".split()
PRIVATE_NON_ENTERPRISE = {  # 民办非企业单位: section -> (weight, name endings)
    "P": (45, "幼儿园 培训学校 职业技能培训学校 艺术培训中心 托育中心"),
    "Q": (40, "社会工作服务中心 居家养老服务中心 康复医院 颐养院 心理咨询服务中心"),
    "R": (15, "体育俱乐部 文化艺术团 书画院"),
}
COMMITTEE_BRANCHES = "机关党支部 营销中心党支部 技术研发中心党支部 后勤保障党支部 质量管理部党支部".split()
INSTRUCTOR_EMPLOYERS = [
    ("{t}党（工）委 组织委员", Employment.PART_TIME), ("{t}党建办 干部", Employment.PART_TIME),
    ("县两新工委 专职党建指导员", Employment.FULL_TIME), ("县市场监管局 退休干部", Employment.PART_TIME),
    ("{t}{c}党组织 书记", Employment.PART_TIME), ("县人力社保局 干部", Employment.PART_TIME),
]
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organization code check
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CN_DIGITS = "一二三四五六七八九十"


@dataclass
class DemoContext:
    """What the organizations part built; handed to every app's ``demo_builder``."""

    rng: random.Random
    fake: Faker
    county: Area
    townships: list[Area]                       # ordered by code
    admin: object                               # the superuser every service call runs as
    users: dict = field(default_factory=dict)   # username -> User (the demo accounts)
    units: list[Organization] = field(default_factory=list)
    party_organizations: list[PartyOrganization] = field(default_factory=list)
    instructors: list[Instructor] = field(default_factory=list)
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)  # username, role, password, scope
    api_token: str = ""
    notes: list[str] = field(default_factory=list)  # summary lines added by app builders


@dataclass
class _PartyPlan:
    """A party organization planned before it is written (counts roll up the tree)."""

    name: str
    org_type: str
    formation: str
    area: Area
    units: list = field(default_factory=list)
    full: int = 0
    probationary: int = 0
    branch_committee: bool = False
    approval: bool = False
    established_on: date | None = None
    children: list = field(default_factory=list)

    @property
    def members(self) -> int:
        return self.full + self.probationary


def _chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 35 → 三十五 (for ordinals up to 99)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else CN_DIGITS[tens - 1] + "十"
    return head + (CN_DIGITS[ones - 1] if ones else "") if n >= 10 else CN_DIGITS[n - 1]


DEMO_USERNAMES = ("admin", "county", "auditor", "township", "township2", "secretary", "instructor", "api")


def demo_exists() -> bool:
    return Organization.objects.exists() or Area.objects.exists()


def reset_demo() -> None:
    """Delete the registry and the non-superuser demo accounts, in an order the
    protecting foreign keys allow.  History rows stay."""
    for config in reversed(list(apps.get_app_configs())):
        reset = getattr(config, "demo_reset", None)
        if callable(reset):
            reset()
    PartyWorker.objects.all().delete()
    Instructor.objects.all().delete()
    PartyOrganization.objects.update(parent=None)  # the parent link protects; cut it first
    PartyOrganization.objects.all().delete()
    Organization.objects.all().delete()
    for level in (AreaLevel.COMMUNITY, AreaLevel.STREET, AreaLevel.TOWNSHIP, AreaLevel.COUNTY):
        Area.objects.filter(level=level).delete()
    get_user_model().objects.filter(username__in=DEMO_USERNAMES, is_superuser=False).delete()


def build_demo(*, units: int = DEFAULT_UNITS, seed: int = SEED) -> DemoContext:
    """Build the county (call inside a transaction), then every app's ``demo_builder``."""
    context = _Builder(units=units, seed=seed).build()
    for config in apps.get_app_configs():  # INSTALLED_APPS order
        builder = getattr(config, "demo_builder", None)
        if callable(builder):
            builder(context)
    return context


class _Builder:
    def __init__(self, *, units: int, seed: int):
        if not MIN_UNITS <= units <= MAX_UNITS:
            raise ValueError(f"演示单位数应在{MIN_UNITS}到{MAX_UNITS}之间。")
        self.n_units = units
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.names: set[str] = set()
        self.usccs: set[str] = set()
        self.party_names: set[str] = set()
        self.password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose

    # ---- small helpers ---------------------------------------------------------------

    def _day(self, start: date, end: date = LAST_DAY) -> date:
        start = min(start, end)
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def _after(self, start: date, lo_days: int, hi_days: int) -> date:
        return min(LAST_DAY, start + timedelta(days=self.rng.randint(lo_days, hi_days)))

    def _split(self, total: int, parts: int) -> list[int]:
        weights = [self.rng.uniform(0.75, 1.25) for _ in range(parts)]
        shares = [int(total * w / sum(weights)) for w in weights]
        for i in range(total - sum(shares)):
            shares[i % parts] += 1
        return shares

    def _probationary(self, members: int) -> int:
        if members < 4:
            return 0
        return self.rng.randint(0, max(1, members // 12))

    def _unique(self, make, fallback=None) -> str:
        """A name from ``make`` not used yet; after many tries, one from ``fallback``."""
        for attempt in range(300):
            name = fallback() if fallback and attempt >= 100 else make()
            if name not in self.names:
                self.names.add(name)
                return name
        raise ValueError("演示单位名称用尽，请减少 --units。")

    def _uscc(self, authority: str, category: str, established: date) -> str:
        """统一社会信用代码: authority, category, county code, organization code, check."""
        rng = self.rng
        while True:
            if established.year < 2016:  # old 9-character organization code with its own check
                code8 = "".join(rng.choice("0123456789") for _ in range(8))
                c9 = 11 - sum(int(c, 36) * w for c, w in zip(code8, ORG_CODE_WEIGHTS)) % 11
                org_code = code8 + {10: "X", 11: "0"}.get(c9, str(c9))
            else:  # issued since 2016: MA (market regulation) / MJ (civil affairs) + 7 characters
                org_code = ("MA" if authority == "9" else "MJ") + "".join(rng.choice(USCC_ALPHABET) for _ in range(7))
            body = authority + category + COUNTY_CODE + org_code
            code = body + uscc_standard.calc_check_digit(body)
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    # ---- the build ---------------------------------------------------------------------

    def build(self) -> DemoContext:
        self.admin = self._admin()
        self.county, self.townships, self.communities = self._areas()
        self.context = DemoContext(
            rng=self.rng, fake=self.fake, county=self.county, townships=self.townships, admin=self.admin,
            users={"admin": self.admin},
        )
        self._units()
        self._party_organizations()
        self._instructors()
        self._party_workers()
        self._accounts()
        return self.context

    def _admin(self):
        User = get_user_model()
        admin = User.objects.filter(username="admin").first() or User(username="admin")
        admin.password = self.password
        admin.is_superuser = admin.is_staff = admin.is_active = True
        admin.role = Role.COUNTY_ADMIN
        admin.full_name = "县委组织部 王主任"
        admin.save()
        return admin

    def _areas(self):
        county = Area.objects.create(code=COUNTY_CODE + "000000", name=COUNTY_NAME, level=AreaLevel.COUNTY)
        townships, communities = [], {}
        for code3, name, level, _share, children in TOWNSHIPS:
            township = Area.objects.create(code=f"{COUNTY_CODE}{code3}000", name=name, level=level, parent=county)
            townships.append(township)
            communities[township.pk] = [
                Area.objects.create(code=township.code[:9] + child[:3], name=child[3:], level=AreaLevel.COMMUNITY,
                                    parent=township)
                for child in children.split()
            ]
        return county, townships, communities

    # ---- units -------------------------------------------------------------------------

    def _township_counts(self) -> list[int]:
        """Units per township: at least 2 each, the rest by share (largest remainder)."""
        shares = [row[3] for row in TOWNSHIPS]
        rest = self.n_units - 2 * len(shares)
        quotas = [rest * s / sum(shares) for s in shares]
        counts = [int(q) for q in quotas]
        order = sorted(range(len(quotas)), key=lambda i: counts[i] - quotas[i])
        for i in order[: rest - sum(counts)]:
            counts[i] += 1
        return [c + 2 for c in counts]

    def _units(self):
        rng = self.rng
        n_social = round(self.n_units * 0.2)
        social_flags = [True] * n_social + [False] * (self.n_units - n_social)
        rng.shuffle(social_flags)
        specs, flags = [], iter(social_flags)
        for township, count in zip(self.townships, self._township_counts()):
            for _ in range(count):
                specs.append(self._social_spec(township) if next(flags) else self._enterprise_spec(township))
        self._make_big_units(specs)
        self.context.units = self.units = [
            services.register_organization(by=self.admin, data=spec) for spec in specs
        ]

    def _common(self, township, established: date) -> dict:
        rng = self.rng
        community = None
        if rng.random() < (0.95 if township.level == AreaLevel.STREET else 0.85):
            community = rng.choice(self.communities[township.pk])
        if community is not None and community.code[-3:] >= "200":  # a village
            address = f"{COUNTY_NAME}{township.name}{community.name}{rng.randint(1, 120)}号"
        else:
            stem = township.name.removesuffix("街道").rstrip("镇乡")
            road = rng.choice([stem + "路", stem + "大道"] + ROADS)
            address = f"{COUNTY_NAME}{township.name}{road}{rng.randint(1, 399)}号"
        status, dissolved_on = OrganizationStatus.OPERATING, None
        draw = rng.random()
        if draw < 0.03 and established < date(2024, 1, 1):
            status, dissolved_on = OrganizationStatus.DISSOLVED, self._day(established + timedelta(days=400))
        elif draw < 0.05:
            status = OrganizationStatus.SUSPENDED
        return {
            "township": township, "community": community, "address": address,
            "legal_representative": self.fake.name(), "established_on": established,
            "status": status, "dissolved_on": dissolved_on,
        }

    def _established(self) -> date:
        year = min(2025, 2000 + int(26 * self.rng.betavariate(1.8, 1.0)))  # more young units than old
        return self._day(date(year, 1, 1), min(LAST_DAY, date(year, 12, 31)))

    def _small_party_count(self, employees: int, zero_share: float) -> int:
        if self.rng.random() < zero_share:
            return 0
        count = self.rng.choices((1, 2, 3, 4, 5, 6), (42, 28, 13, 8, 6, 3))[0]
        return min(count, employees)

    def _enterprise_spec(self, township, sub_kind=None) -> dict:
        rng = self.rng
        sub_kind = sub_kind or rng.choices(
            (SubKind.LIMITED_COMPANY, SubKind.INDIVIDUAL_BUSINESS, SubKind.SOLE_PROPRIETORSHIP,
             SubKind.JOINT_STOCK, SubKind.PARTNERSHIP, SubKind.FOREIGN_INVESTED),
            (62, 14, 8, 6, 4, 3),
        )[0]
        tilt = INDUSTRY_TILT.get("乡" if township.name.endswith("乡") else township.level, {})
        if sub_kind == SubKind.INDIVIDUAL_BUSINESS:
            sections = list(INDIVIDUAL_BUSINESS)
        elif sub_kind == SubKind.SOLE_PROPRIETORSHIP:
            sections = list(SOLE_PROPRIETORSHIP)
        elif sub_kind == SubKind.PARTNERSHIP:
            sections = list(PARTNERSHIP)
        elif sub_kind == SubKind.FOREIGN_INVESTED:
            sections = ["C", "C", "C", "F", "I", "M"]
        else:
            sections = list(ENTERPRISE_INDUSTRIES)
        weights = [ENTERPRISE_INDUSTRIES[s][0] * tilt.get(s, 1) for s in sections]
        industry = rng.choices(sections, weights)[0]
        established = self._established()
        employees = self._employees(sub_kind)
        if employees >= 200:
            members = min(95, max(3, round(employees * rng.uniform(0.015, 0.045))))
        elif employees >= 80:
            members = 0 if rng.random() < 0.2 else rng.randint(2, 12)
        elif sub_kind == SubKind.INDIVIDUAL_BUSINESS:
            members = 1 if rng.random() < 0.06 else 0
        else:
            members = self._small_party_count(employees, 0.65 if employees < 10 else 0.42)
        owner_member = rng.random() < (0.3 if members else 0.03)
        if owner_member:
            members = max(members, 1)

        name = self._unique(lambda: self._enterprise_name(township, sub_kind, industry, employees))
        category = "2" if sub_kind == SubKind.INDIVIDUAL_BUSINESS else "1"
        return {
            "name": name, "uscc": self._uscc("9", category, established),
            "kind": OrganizationKind.ENTERPRISE, "sub_kind": sub_kind, "industry": industry,
            "employee_count": employees, "party_member_count": members, "representative_is_member": owner_member,
            **self._common(township, established),
        }

    def _enterprise_name(self, township, sub_kind, industry, employees) -> str:
        choice = self.rng.choice
        brand, words = choice(BRANDS), ENTERPRISE_INDUSTRIES[industry][1].split()
        if sub_kind == SubKind.INDIVIDUAL_BUSINESS:
            owner = choice((brand, self.fake.last_name() + "记"))
            return f"{COUNTY_NAME}{township.name}{owner}{choice(INDIVIDUAL_BUSINESS[industry].split())}"
        if sub_kind == SubKind.SOLE_PROPRIETORSHIP:
            return f"{COUNTY_NAME}{brand}{choice(SOLE_PROPRIETORSHIP[industry].split())}"
        if sub_kind == SubKind.PARTNERSHIP:
            form = "（有限合伙）" if self.rng.random() < 0.8 else "（普通合伙）"
            return f"{COUNTY_SHORT}{brand}{choice(PARTNERSHIP[industry].split())}合伙企业{form}"
        if sub_kind == SubKind.FOREIGN_INVESTED:
            return f"{brand}{choice(words)}（{COUNTY_SHORT}）有限公司"
        places = ["清溪", "清溪县"] + (["浙江"] if employees >= 200 or sub_kind == SubKind.JOINT_STOCK else [])
        suffix = "股份有限公司" if sub_kind == SubKind.JOINT_STOCK else "有限公司"
        return f"{choice(places)}{brand}{choice(words)}{suffix}"

    def _employees(self, sub_kind) -> int:
        rng = self.rng
        if sub_kind == SubKind.INDIVIDUAL_BUSINESS:
            return rng.randint(1, 8)
        if sub_kind in (SubKind.SOLE_PROPRIETORSHIP, SubKind.PARTNERSHIP):
            return rng.randint(3, 40)
        bands = {
            SubKind.LIMITED_COMPANY: ((5, 30, 58), (30, 80, 24), (80, 200, 10.5), (200, 800, 6), (800, 3000, 1.5)),
            SubKind.JOINT_STOCK: ((30, 80, 20), (80, 200, 35), (200, 800, 37), (800, 3000, 8)),
            SubKind.FOREIGN_INVESTED: ((30, 80, 20), (80, 200, 40), (200, 800, 30), (800, 2000, 10)),
        }[sub_kind]
        lo, hi, _ = rng.choices(bands, [b[2] for b in bands])[0]
        return int(lo * (hi / lo) ** rng.random())  # log-uniform inside the band

    def _social_spec(self, township) -> dict:
        rng = self.rng
        sub_kind = rng.choices(
            (SubKind.ASSOCIATION, SubKind.PRIVATE_NON_ENTERPRISE, SubKind.FOUNDATION), (48, 46, 6),
        )[0]
        established = self._established()
        stem = township.name.removesuffix("街道").rstrip("镇乡")
        fallback = None
        if sub_kind == SubKind.ASSOCIATION:
            industry, category = "S", "1"

            def make():
                draw = rng.random()
                if draw < 0.65:
                    return f"{COUNTY_NAME}{rng.choice(ASSOCIATIONS)}"
                if draw < 0.8:
                    return f"{township.name}{rng.choice(TOWNSHIP_ASSOCIATIONS)}"
                if draw < 0.9:
                    village = rng.choice(self.communities[township.pk]).name
                    return f"{township.name}{village}{rng.choice(VILLAGE_ASSOCIATIONS)}"
                return f"{COUNTY_NAME}{rng.choice(HOMETOWN_CHAMBERS)}商会"
            def fallback():
                return f"{township.name}{rng.choice(BRANDS)}{rng.choice(('志愿服务队', '文体协会', '互助会'))}"
            employees = rng.randint(1, 8)
            members = self._small_party_count(employees, 0.4)
        elif sub_kind == SubKind.FOUNDATION:
            industry, category = "S", "3"

            def make():
                draw = rng.random()
                if draw < 0.6:
                    return f"{COUNTY_NAME}{rng.choice(FOUNDATIONS)}基金会"
                if draw < 0.85:
                    return f"{COUNTY_NAME}{rng.choice(BRANDS)}公益基金会"
                return f"{township.name}教育基金会"
            employees = rng.randint(2, 6)
            members = self._small_party_count(employees, 0.3)
        else:
            category = "2"
            sections = list(PRIVATE_NON_ENTERPRISE)
            industry = rng.choices(sections, [PRIVATE_NON_ENTERPRISE[s][0] for s in sections])[0]
            ending = rng.choice(PRIVATE_NON_ENTERPRISE[industry][1].split())

            def make():
                middle = rng.choice((stem, "")) + rng.choice(BRANDS)
                return f"{COUNTY_NAME}{middle}{ending}"
            if ending == "康复医院":
                employees, members = rng.randint(60, 220), rng.randint(3, 14)
            else:
                employees = rng.randint(5, 45)
                members = self._small_party_count(employees, 0.55)
        owner_member = rng.random() < (0.35 if members else 0.03)
        if owner_member:
            members = max(members, 1)
        return {
            "name": self._unique(make, fallback), "uscc": self._uscc("5", category, established),
            "kind": OrganizationKind.SOCIAL_ORG, "sub_kind": sub_kind, "industry": industry,
            "employee_count": employees, "party_member_count": members, "representative_is_member": owner_member,
            **self._common(township, established),
        }

    def _make_big_units(self, specs: list[dict]) -> None:
        """Make sure the county has a few large enterprises: ones big enough for a
        committee (one always in the first township) and, in a full-size county,
        ones for a standalone general branch."""
        rng = self.rng
        n_committees = max(1, round(self.n_units / 200))
        n_general = self.n_units // 200
        others = rng.sample(self.townships[1:9], min(8, n_committees - 1 + n_general))
        plan = [(self.townships[0], "committee")] + [(t, "committee") for t in others[: n_committees - 1]]
        plan += [(t, "general") for t in others[n_committees - 1:]]
        big_kinds = (SubKind.LIMITED_COMPANY, SubKind.JOINT_STOCK, SubKind.FOREIGN_INVESTED)
        for township, size in plan:
            candidates = [s for s in specs if s["township"] == township and s["sub_kind"] in big_kinds
                          and s["party_member_count"] < 50]
            if not candidates:  # a tiny county: turn the township's first unit into a company
                index = next(i for i, s in enumerate(specs) if s["township"] == township)
                specs[index] = self._enterprise_spec(township, SubKind.LIMITED_COMPANY)
                candidates = [specs[index]]
            # the largest, preferring the sectors where big private employers are
            spec = max(candidates, key=lambda s: (s["industry"] in "CEFGK", s["employee_count"]))
            if size == "committee":
                spec["employee_count"], spec["party_member_count"] = rng.randint(1200, 3000), rng.randint(105, 185)
            else:
                spec["employee_count"], spec["party_member_count"] = rng.randint(600, 1500), rng.randint(55, 95)
            spec["established_on"] = self._day(date(2001, 1, 1), date(2010, 12, 31))
            spec["status"], spec["dissolved_on"] = OrganizationStatus.OPERATING, None

    # ---- party organizations -------------------------------------------------------------

    def _party_name(self, base: str) -> str:
        name, n = base, 1
        while name in self.party_names:
            n += 1
            name = base.replace("联合党支部", f"第{_chinese_number(n)}联合党支部") if "联合" in base \
                else f"{base}（{n}）"
        self.party_names.add(name)
        return name

    def _branch(self, name, formation, area, units, members, *, established) -> _PartyPlan:
        probationary = self._probationary(members)
        full = members - probationary
        return _PartyPlan(
            self._party_name(name), PartyOrgType.BRANCH, formation, area, list(units), full, probationary,
            branch_committee=full >= 7, established_on=established,
        )

    def _roll_up(self, plan: _PartyPlan) -> _PartyPlan:
        plan.full = sum(c.full for c in plan.children)
        plan.probationary = sum(c.probationary for c in plan.children)
        return plan

    def _plan_committee(self, unit) -> _PartyPlan:
        """党委 of a large enterprise: a general branch over the workshops (or business
        departments) with a branch each, plus branches of the other departments."""
        rng, area, members = self.rng, unit.township, unit.party_member_count
        founded = self._after(unit.established_on, 365, 6 * 365)
        general_members = max(50, round(members * rng.uniform(0.45, 0.6)))
        system, part = ("生产系统", "生产{}车间") if unit.industry in "ABCDE" else ("业务系统", "业务{}部")
        general = _PartyPlan(self._party_name(f"{unit.name}{system}党总支"), PartyOrgType.GENERAL_BRANCH,
                             Formation.STANDALONE, area, [unit], established_on=founded)
        general.children = [
            self._branch(f"{unit.name}{part.format(CN_DIGITS[i])}党支部", Formation.STANDALONE, area, [unit], m,
                         established=founded)
            for i, m in enumerate(self._split(general_members, 3 if general_members > 60 else 2))
        ]
        rest = members - general_members
        branches = [
            self._branch(f"{unit.name}{COMMITTEE_BRANCHES[i]}", Formation.STANDALONE, area, [unit], m,
                         established=self._after(founded, 0, 900))
            for i, m in enumerate(self._split(rest, min(len(COMMITTEE_BRANCHES), math.ceil(rest / 40))))
        ]
        committee = _PartyPlan(self._party_name(f"{unit.name}党委"), PartyOrgType.COMMITTEE, Formation.STANDALONE,
                               area, [unit], approval=True, established_on=founded,
                               children=[self._roll_up(general)] + branches)
        return self._roll_up(committee)

    def _plan_general_branch(self, unit) -> _PartyPlan:
        founded = self._after(unit.established_on, 365, 5 * 365)
        general = _PartyPlan(self._party_name(f"{unit.name}党总支"), PartyOrgType.GENERAL_BRANCH, Formation.STANDALONE,
                             unit.township, [unit], established_on=founded)
        parts = self._split(unit.party_member_count, 3 if unit.party_member_count > 70 else 2)
        general.children = [
            self._branch(f"{unit.name}第{CN_DIGITS[i]}党支部", Formation.STANDALONE, unit.township, [unit], m,
                         established=founded)
            for i, m in enumerate(parts)
        ]
        return self._roll_up(general)

    def _plan_joint_branches(self, township, remaining, active_count, stretch_to) -> list[_PartyPlan]:
        """Group uncovered units into joint branches (same community first) until about
        a third of the township's active units is left without a party organization."""
        rng = self.rng
        need = len(remaining) - round(active_count * rng.uniform(0.31, 0.37))
        with_members = [u for u in remaining if u.party_member_count > 0]
        without = [u for u in remaining if u.party_member_count == 0]

        def take(pool, near):
            pick = next((u for u in pool if u.community_id == near.community_id), pool[0])
            pool.remove(pick)
            return pick

        plans = []
        while need >= 2 and with_members:
            size = max(2, min(need, rng.choice((2, 3, 3, 4, 4, 5))))
            anchor = with_members.pop(0)
            group = [anchor]
            while sum(u.party_member_count for u in group) < 3 and len(group) < 5 and with_members:
                group.append(take(with_members, anchor))
            if sum(u.party_member_count for u in group) < 3:
                break  # too few members left for another joint branch: the rest stays uncovered
            while len(group) < size and without:
                group.append(take(without, anchor))
            if len(group) < 2 and with_members:
                group.append(take(with_members, anchor))
            if len(group) < 2:
                break
            need -= len(group)
            plans.append(group)
        if stretch_to and plans:  # deliberately too many units for one joint branch
            while len(plans[0]) < stretch_to and (without or with_members):
                plans[0].append(take(without or with_members, plans[0][0]))
        return [self._joint_plan(township, group) for group in plans]

    def _joint_plan(self, township, group) -> _PartyPlan:
        anchor = group[0]
        if anchor.community_id:
            place = f"{anchor.community.name}两新组织"
        else:
            place = "社会组织" if all(u.kind == OrganizationKind.SOCIAL_ORG for u in group) else "小微企业"
        members = sum(u.party_member_count for u in group)
        plan = self._branch(f"{township.name}{place}联合党支部", Formation.JOINT, township, group, members,
                            established=self._after(max(u.established_on for u in group), 60, 900))
        plan.org_type = PartyOrgType.JOINT_BRANCH
        return plan

    def _plan_township(self, township, units, stretch_to) -> list[_PartyPlan]:
        rng = self.rng
        active = [u for u in units if u.status != OrganizationStatus.DISSOLVED]
        committees, top, remaining = [], [], []
        for unit in sorted(active, key=lambda u: -u.party_member_count):
            members = unit.party_member_count
            if members >= 100:
                committees.append(self._plan_committee(unit))
            elif members >= 50:
                top.append(self._plan_general_branch(unit))
            elif members >= 3 and rng.random() < 0.92:
                plan = self._branch(f"{unit.name}党支部", Formation.STANDALONE, township, [unit], members,
                                    established=self._after(unit.established_on, 180, 5 * 365))
                self.single_branches.append(plan)
                top.append(plan)
            elif members and unit.kind == OrganizationKind.SOCIAL_ORG and (not self.affiliated or rng.random() < 0.5):
                # 挂靠: the unit's few members sit in a branch together with members of its host body
                plan = self._branch(f"{unit.name}党支部", Formation.AFFILIATED, township, [unit],
                                    members + rng.randint(max(1, 3 - members), 4),
                                    established=self._after(unit.established_on, 180, 4 * 365))
                self.affiliated += 1
                top.append(plan)
            else:
                remaining.append(unit)
        remaining.sort(key=lambda u: active.index(u))
        top += self._plan_joint_branches(township, remaining, len(active), stretch_to)
        # a comprehensive committee over the township's smaller organizations, where they add up
        if len(top) >= 4 and sum(p.members for p in top) >= THRESHOLDS["committee_min_members"]:
            comprehensive = _PartyPlan(
                self._party_name(f"{township.name}两新组织综合党委"), PartyOrgType.COMMITTEE, Formation.JOINT,
                township, established_on=self._day(date(2012, 1, 1), date(2018, 12, 31)), children=top,
            )
            self._roll_up(comprehensive)
            comprehensive.approval = True  # set up with the county's approval, like the enterprise committees
            top = [comprehensive]
        return committees + top

    def _party_organizations(self):
        self.affiliated = 0
        self.single_branches = []  # standalone branches of one unit, candidates for _break_rules
        by_township = {t.pk: [] for t in self.townships}
        for unit in self.units:
            by_township[unit.township_id].append(unit)
        largest = sorted(self.townships, key=lambda t: -len(by_township[t.pk]))
        stretch = {largest[0].pk: 7}
        if self.n_units >= 200:
            stretch[largest[1].pk] = 6
        plans = []
        for township in self.townships:
            plans += self._plan_township(township, by_township[township.pk], stretch.get(township.pk))
        self._break_rules()
        self.context.party_organizations = self.party_orgs = []
        for plan in plans:
            self._write(plan, None)
        # the secretary account's committee: the enterprise committee of the first township
        self.secretary_committee = next(
            po for po in self.party_orgs
            if po.org_type == PartyOrgType.COMMITTEE and po.area_id == self.townships[0].pk
            and po.formation == Formation.STANDALONE
        )

    def _break_rules(self) -> None:
        """A few organizations that break a structure rule, so the warnings show."""
        count = 1 if self.n_units < 200 else 2
        branches = self.single_branches
        small = [p for p in branches if p.members in (3, 4)]
        for plan in self.rng.sample(small, min(count, len(small))):
            plan.probationary, plan.full = plan.members - 2, 2  # too few full members
        big = [p for p in branches if p.full >= 7]
        for plan in self.rng.sample(big, min(count, len(big))):
            plan.branch_committee = False  # no branch committee although ≥ 7 full members

    def _write(self, plan: _PartyPlan, parent) -> None:
        party_org = services.register_party_organization(by=self.admin, data={
            "name": plan.name, "org_type": plan.org_type, "formation": plan.formation, "parent": parent,
            "area": plan.area, "covered_organizations": plan.units,
            "secretary_name": self.fake.name(), "secretary_phone": self.fake.phone_number(),
            "has_approval_authority": plan.approval, "has_branch_committee": plan.branch_committee,
            "full_member_count": plan.full, "probationary_member_count": plan.probationary,
            "established_on": plan.established_on,
        })
        self.party_orgs.append(party_org)
        for child in plan.children:
            self._write(child, party_org)

    # ---- instructors and party workers -------------------------------------------------------

    def _instructors(self):
        rng = self.rng
        by_township = {t.pk: [] for t in self.townships}
        for unit in self.units:
            if unit.status != OrganizationStatus.DISSOLVED:
                by_township[unit.township_id].append(unit)
        largest = sorted(self.townships, key=lambda t: -len(by_township[t.pk]))
        overloaded = {t.pk for t in largest[: 2 if self.n_units >= 200 else 1]}
        self.context.instructors = self.instructors = []
        for township in self.townships:
            active = by_township[township.pk]
            pool = active[:]
            rng.shuffle(pool)
            count = min(4, max(1, math.ceil(len(active) / 10)))
            for i in range(count):
                heavy = township.pk in overloaded and i == count - 1 and len(active) >= 20
                want = rng.randint(11, 13) if heavy else rng.randint(4, 9)
                assigned = [pool.pop() for _ in range(min(want, len(pool)))]
                if len(assigned) < min(3, len(active)):  # top up from units another instructor also visits
                    extra = [u for u in active if u not in assigned]
                    assigned += rng.sample(extra, min(3, len(active)) - len(assigned))
                template, employment = rng.choice(INSTRUCTOR_EMPLOYERS)
                community = rng.choice(self.communities[township.pk])
                self.instructors.append(services.register_instructor(by=self.admin, data={
                    "name": self.fake.name(), "phone": self.fake.phone_number(), "area": township,
                    "employer": template.format(t=township.name, c=community.name), "employment": employment,
                    "appointed_on": self._day(date(2018, 1, 1)), "organizations": assigned,
                }))

    def _party_workers(self):
        rng = self.rng
        self.workers = []
        for party_org in self.party_orgs:
            if party_org.org_type == PartyOrgType.COMMITTEE:
                employment, position = Employment.FULL_TIME, "党委专职副书记"
            elif party_org.org_type == PartyOrgType.GENERAL_BRANCH:
                employment = Employment.FULL_TIME if rng.random() < 0.3 else Employment.PART_TIME
                position = "党总支副书记"
            else:
                if rng.random() < 0.1:
                    continue  # the secretary does the work alone
                employment = Employment.FULL_TIME if rng.random() < 0.08 else Employment.PART_TIME
                position = "党建专干" if employment == Employment.FULL_TIME else rng.choice(
                    ("党支部书记", "组织委员", "宣传委员", "党务联络员"))
            same_person = position == "党支部书记"
            self.workers.append(services.register_party_worker(by=self.admin, data={
                "name": party_org.secretary_name if same_person else self.fake.name(),
                "phone": party_org.secretary_phone if same_person else self.fake.phone_number(),
                "area": party_org.area, "party_organization": party_org, "employment": employment,
                "position": position, "is_party_member": rng.random() < 0.96,
                "started_on": self._after(party_org.established_on or date(2015, 1, 1), 0, 3 * 365),
            }))

    # ---- accounts ---------------------------------------------------------------------------------

    def _accounts(self):
        User = get_user_model()
        first, second = self.townships[0], self.townships[1]
        committee = self.secretary_committee
        instructor = next(i for i in self.instructors if i.area_id == first.pk)
        rows = [  # username, role, full name, scope shown in the login table
            ("county", Role.COUNTY_ADMIN, "县委组织部 李干事", "全县"),
            ("auditor", Role.AUDITOR, "县委组织部 审计员 赵敏", "全县（只读）"),
            ("township", Role.TOWNSHIP_WORKER, f"{first.name} 陈晓燕", first.name),
            ("township2", Role.TOWNSHIP_WORKER, f"{second.name} 刘建军", second.name),
            ("secretary", Role.SECRETARY, committee.secretary_name, f"{committee.name}及其下级党组织"),
            ("instructor", Role.INSTRUCTOR, instructor.name,
             f"{first.name}指导员{instructor.name}联系的{instructor.organizations.count()}个单位"),
            ("api", Role.API_CLIENT, "省级智慧党建平台（接口）", f"{first.name}（REST API，令牌见下）"),
        ]
        users = self.context.users
        for username, role, full_name, _scope in rows:
            users[username] = User.objects.create(username=username, password=self.password, role=role,
                                                  full_name=full_name)
        first.accounts.add(users["township"], users["api"])
        second.accounts.add(users["township2"])
        committee.secretary_accounts.add(users["secretary"])
        instructor.account = users["instructor"]
        instructor.save(update_fields=["account"])
        self.context.api_token = Token.objects.create(user=users["api"]).key
        self.context.logins = [("admin", f"{Role.COUNTY_ADMIN.label}（超级用户）", DEMO_PASSWORD, "全县，含 /admin/ 后台")]
        self.context.logins += [(u, Role(r).label, DEMO_PASSWORD, scope) for u, r, _n, scope in rows]
