"""Code lists of the organization registry (labels are what users read)."""
from django.db import models


class AreaLevel(models.TextChoices):
    COUNTY = "county", "县（市、区）"
    TOWNSHIP = "township", "乡镇"
    STREET = "street", "街道"
    COMMUNITY = "community", "村（社区）"


TOWNSHIP_LEVELS = (AreaLevel.TOWNSHIP, AreaLevel.STREET)


class OrganizationKind(models.TextChoices):
    ENTERPRISE = "enterprise", "非公有制企业"
    SOCIAL_ORG = "social_org", "社会组织"


class SubKind(models.TextChoices):
    LIMITED_COMPANY = "limited_company", "有限责任公司"
    JOINT_STOCK = "joint_stock", "股份有限公司"
    SOLE_PROPRIETORSHIP = "sole_proprietorship", "个人独资企业"
    PARTNERSHIP = "partnership", "合伙企业"
    FOREIGN_INVESTED = "foreign_invested", "外商投资企业"
    INDIVIDUAL_BUSINESS = "individual_business", "个体工商户"
    ASSOCIATION = "association", "社会团体"
    FOUNDATION = "foundation", "基金会"
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise", "民办非企业单位（社会服务机构）"


SUB_KINDS_BY_KIND = {
    OrganizationKind.ENTERPRISE: {
        SubKind.LIMITED_COMPANY, SubKind.JOINT_STOCK, SubKind.SOLE_PROPRIETORSHIP,
        SubKind.PARTNERSHIP, SubKind.FOREIGN_INVESTED, SubKind.INDIVIDUAL_BUSINESS,
    },
    OrganizationKind.SOCIAL_ORG: {SubKind.ASSOCIATION, SubKind.FOUNDATION, SubKind.PRIVATE_NON_ENTERPRISE},
}


class Industry(models.TextChoices):
    """Sections of GB/T 4754-2017 (国民经济行业分类)."""

    A = "A", "农、林、牧、渔业"
    B = "B", "采矿业"
    C = "C", "制造业"
    D = "D", "电力、热力、燃气及水生产和供应业"
    E = "E", "建筑业"
    F = "F", "批发和零售业"
    G = "G", "交通运输、仓储和邮政业"
    H = "H", "住宿和餐饮业"
    I = "I", "信息传输、软件和信息技术服务业"  # noqa: E741 - the standard's letter
    J = "J", "金融业"
    K = "K", "房地产业"
    L = "L", "租赁和商务服务业"
    M = "M", "科学研究和技术服务业"
    N = "N", "水利、环境和公共设施管理业"
    O = "O", "居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "教育"
    Q = "Q", "卫生和社会工作"
    R = "R", "文化、体育和娱乐业"
    S = "S", "公共管理、社会保障和社会组织"
    T = "T", "国际组织"


class OrganizationStatus(models.TextChoices):
    OPERATING = "operating", "存续"
    SUSPENDED = "suspended", "停业（歇业）"
    DISSOLVED = "dissolved", "注销（撤销）"


class PartyOrgType(models.TextChoices):
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"


class Formation(models.TextChoices):
    STANDALONE = "standalone", "单独建"
    JOINT = "joint", "联合建"
    AFFILIATED = "affiliated", "挂靠建"


class Employment(models.TextChoices):
    FULL_TIME = "full_time", "专职"
    PART_TIME = "part_time", "兼职"


class Coverage(models.TextChoices):
    """Coverage status of a unit, used by filters and badges."""

    COVERED = "covered", "已建党组织"
    NO_PARTY_ORG = "no_party_org", "未建党组织"
    NO_MEMBER = "no_member", "无党员"
