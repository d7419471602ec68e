"""Code lists of the development procedure (labels are what users read)."""
from django.db import models


class Sex(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", "研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    SECONDARY = "secondary", "中专、高中"
    JUNIOR = "junior", "初中及以下"


class Occupation(models.TextChoices):
    FRONT_LINE = "front_line", "生产经营一线职工"
    TECHNICAL_BACKBONE = "technical_backbone", "技术骨干"
    PROFESSIONAL = "professional", "专业技术人员"
    MANAGER = "manager", "经营管理人员"
    OWNER = "owner", "出资人（企业主）"
    OTHER = "other", "其他"


class Membership(models.TextChoices):
    """A person's party standing, as the rules need it (mentors and introducers)."""

    NONE = "none", "群众"
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"
    SUSPENDED = "suspended", "正式党员（留党察看期间）"


class Stage(models.TextChoices):
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL_MEMBER = "full_member", "正式党员"


class DossierState(models.TextChoices):
    ACTIVE = "active", "培养中"
    IN_TRANSIT = "in_transit", "转接中"
    LOST_CONTACT = "lost_contact", "失联"
    ENDED = "ended", "已终止"
    COMPLETED = "completed", "已归档"


class EndKind(models.TextChoices):
    WITHDRAWN = "withdrawn", "本人撤回（放弃）"
    NOT_ADMITTED = "not_admitted", "未被接收"
    CANCELLED = "cancelled", "取消预备党员资格"
    TRANSFERRED_OUT = "transferred_out", "转出县外"


def end_kinds_for(stage: str) -> list[str]:
    """How a dossier at ``stage`` may be ended by hand (终止档案).  A probationary member is
    already in the Party: only their status can be cancelled.  A full member's dossier is
    archived, not ended.  Leaving the county is the outcome of a transfer, never chosen here."""
    if stage == Stage.PROBATIONARY:
        return [EndKind.CANCELLED]
    if stage == Stage.FULL_MEMBER:
        return []
    return [EndKind.WITHDRAWN, EndKind.NOT_ADMITTED]


class EndReason(models.TextChoices):
    RESIGNED = "resigned", "从本单位离职"
    MOVED_AWAY = "moved_away", "迁居外地"
    WITHDREW = "withdrew", "本人不再要求入党"
    FAILED_REVIEW = "failed_review", "考察（政审）不合格"
    DISQUALIFIED = "disqualified", "不具备党员条件"
    DECEASED = "deceased", "去世"
    OTHER = "other", "其他"


class ActivistSource(models.TextChoices):
    LEAGUE = "league", "共青团推优"
    TRADE_UNION = "trade_union", "工会推优"
    MEMBERS = "members", "党员推荐"
    SELF = "self", "个人申请、群众推荐"


ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族",
    "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族",
    "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族",
    "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族",
    "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族",
    "门巴族", "珞巴族", "基诺族",
]
