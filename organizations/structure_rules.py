"""Party-organization structure rules (domain.md §4; 《中国共产党支部工作条例（试行）》).

They are warnings, not blocks: counties form organizations in many legitimate ways and
the secretary decides.  The numbers are data, so a province can change them here
without touching the checks.
"""
from dataclasses import dataclass

from .choices import Formation, PartyOrgType

THRESHOLDS = {
    "branch_min_full_members": 3,       # 正式党员3人以上的，应当成立党支部
    "branch_max_members": 50,           # 党支部党员人数一般不超过50人
    "joint_branch_max_units": 5,        # 联合党支部覆盖单位一般不超过5个
    "branch_committee_min_full": 7,     # 正式党员7人以上的党支部，应当设立支部委员会
    "general_branch_min_members": 50,   # 党员50人以上100人以下的，可以设立党总支
    "committee_min_members": 100,       # 党员100人以上的，可以设立党的基层委员会
    "instructor_max_units": 10,         # 一名党建指导员联系单位过多则精力不足
}


@dataclass(frozen=True)
class StructureWarning:
    code: str
    message: str


def party_organization_warnings(party_org, *, covered_units: int, thresholds=THRESHOLDS) -> list[StructureWarning]:
    """Warnings for one party organization; ``covered_units`` is passed in so a list
    page can supply an annotated count instead of one query per row."""
    t = thresholds
    full = party_org.full_member_count
    members = party_org.member_count
    kind = party_org.org_type
    warnings = []
    if kind in (PartyOrgType.BRANCH, PartyOrgType.JOINT_BRANCH) and full < t["branch_min_full_members"]:
        warnings.append(StructureWarning(
            "too_few_full_members",
            f"正式党员{full}人，不足{t['branch_min_full_members']}人，一般不单独成立党支部，可联合建或挂靠建。",
        ))
    if kind in (PartyOrgType.BRANCH, PartyOrgType.JOINT_BRANCH) and members > t["branch_max_members"]:
        warnings.append(StructureWarning(
            "branch_too_large",
            f"党员{members}人，超过{t['branch_max_members']}人，可考虑成立党总支或分设党支部。",
        ))
    if kind == PartyOrgType.JOINT_BRANCH and covered_units > t["joint_branch_max_units"]:
        warnings.append(StructureWarning(
            "joint_branch_too_many_units",
            f"联合党支部覆盖{covered_units}个单位，超过{t['joint_branch_max_units']}个。",
        ))
    if (kind in (PartyOrgType.BRANCH, PartyOrgType.JOINT_BRANCH)
            and full >= t["branch_committee_min_full"] and not party_org.has_branch_committee):
        warnings.append(StructureWarning(
            "branch_committee_missing",
            f"正式党员{full}人（{t['branch_committee_min_full']}人以上），应当设立支部委员会。",
        ))
    if kind == PartyOrgType.GENERAL_BRANCH and members < t["general_branch_min_members"]:
        warnings.append(StructureWarning(
            "general_branch_too_small",
            f"党总支党员{members}人，不足{t['general_branch_min_members']}人。",
        ))
    if kind == PartyOrgType.COMMITTEE and members < t["committee_min_members"]:
        warnings.append(StructureWarning(
            "committee_too_small",
            f"党委党员{members}人，不足{t['committee_min_members']}人，需经上级党组织批准设立。",
        ))
    if kind != PartyOrgType.COMMITTEE and members >= t["committee_min_members"]:
        warnings.append(StructureWarning(
            "could_be_committee",
            f"党员{members}人（{t['committee_min_members']}人以上），可以设立党委。",
        ))
    if party_org.formation == Formation.STANDALONE and covered_units > 1:
        warnings.append(StructureWarning("standalone_covers_many", f"组建方式为单独建，却覆盖{covered_units}个单位。"))
    if party_org.formation == Formation.JOINT and covered_units == 1:
        warnings.append(StructureWarning("joint_covers_one", "组建方式为联合建，却只覆盖1个单位。"))
    if kind == PartyOrgType.JOINT_BRANCH and party_org.formation != Formation.JOINT:
        warnings.append(StructureWarning("joint_branch_formation", "联合党支部的组建方式应为联合建。"))
    if covered_units == 0 and party_org.formation != Formation.AFFILIATED and kind != PartyOrgType.COMMITTEE:
        warnings.append(StructureWarning("covers_no_unit", "尚未登记覆盖的两新组织。"))
    return warnings


def instructor_warnings(*, assigned_units: int, thresholds=THRESHOLDS) -> list[StructureWarning]:
    limit = thresholds["instructor_max_units"]
    if assigned_units > limit:
        return [StructureWarning("instructor_overloaded", f"联系{assigned_units}个单位，超过{limit}个，精力可能不足。")]
    return []
