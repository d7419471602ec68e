from rest_framework import serializers

from accounts.api import ScopedFieldsMixin

from ..models import Area, Instructor, Organization, PartyOrganization, PartyWorker
from ..structure_rules import party_organization_warnings
from ..validators import normalize_uscc


def _assignable_areas(user):
    return Area.objects.assignable_by(user)


def _visible_organizations(user):
    return Organization.objects.visible_to(user)


def _visible_party_organizations(user):
    return PartyOrganization.objects.visible_to(user)


class AreaSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Area
        fields = ["id", "code", "name", "level", "level_display", "parent", "path"]
        read_only_fields = ["path"]


class OrganizationSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"township": _assignable_areas}
    township_name = serializers.CharField(source="township.name", read_only=True)
    has_party_org = serializers.SerializerMethodField()
    party_organizations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id", "name", "uscc", "kind", "sub_kind", "industry", "township", "township_name", "community",
            "address", "employee_count", "party_member_count", "legal_representative",
            "representative_is_member", "established_on", "dissolved_on", "status",
            "has_party_org", "party_organizations", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_has_party_org(self, obj) -> bool:
        annotated = getattr(obj, "has_party_org", None)
        return obj.party_organizations.exists() if annotated is None else annotated

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("uscc"), str):
            data = {**data, "uscc": normalize_uscc(data["uscc"])}
        return super().to_internal_value(data)


class PartyOrganizationSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {
        "area": _assignable_areas,
        "parent": _visible_party_organizations,
        "covered_organizations": _visible_organizations,
    }
    area_name = serializers.CharField(source="area.name", read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = PartyOrganization
        fields = [
            "id", "name", "org_type", "formation", "parent", "area", "area_name", "covered_organizations",
            "secretary_name", "secretary_phone", "has_approval_authority", "has_branch_committee",
            "full_member_count", "probationary_member_count", "established_on", "warnings",
            "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_warnings(self, obj) -> list[dict]:
        covered = getattr(obj, "covered_count", None)
        if covered is None:
            covered = obj.covered_organizations.count()
        return [{"code": w.code, "message": w.message}
                for w in party_organization_warnings(obj, covered_units=covered)]


class InstructorSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"area": _assignable_areas, "organizations": _visible_organizations}
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Instructor
        fields = ["id", "name", "phone", "area", "area_name", "employer", "employment", "appointed_on",
                  "organizations", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class PartyWorkerSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"area": _assignable_areas, "party_organization": _visible_party_organizations}
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = PartyWorker
        fields = ["id", "name", "phone", "area", "area_name", "party_organization", "employment", "position",
                  "is_party_member", "started_on", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
