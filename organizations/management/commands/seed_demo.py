"""``python manage.py seed_demo [--reset] [--units N]``: the demo county 清溪县.

The builder and its extension point for other apps are in :mod:`organizations.demo`.
"""
import time
import unicodedata
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count

from organizations import demo
from organizations.choices import (
    SUB_KINDS_BY_KIND, AreaLevel, Employment, Formation, OrganizationKind, OrganizationStatus, PartyOrgType, SubKind,
)
from organizations.models import Area, Instructor, Organization, PartyOrganization, PartyWorker
from organizations.structure_rules import THRESHOLDS, party_organization_warnings

SITE_URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = "生成演示数据：虚构的清溪县（乡镇街道、两新组织、党组织、党建指导员、党务工作者）和各角色演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="删除现有的组织登记数据（区划、两新组织、党组织、指导员、党务工作者）和演示账号后重建。")
        parser.add_argument("--units", type=int, default=demo.DEFAULT_UNITS,
                            help=f"两新组织数量（默认 {demo.DEFAULT_UNITS}，{demo.MIN_UNITS}–{demo.MAX_UNITS}）。")

    def handle(self, *args, reset=False, units=demo.DEFAULT_UNITS, **options):
        if not demo.MIN_UNITS <= units <= demo.MAX_UNITS:
            raise CommandError(f"--units 应在 {demo.MIN_UNITS} 到 {demo.MAX_UNITS} 之间。")
        exists = demo.demo_exists()
        if exists and not reset:
            self.stdout.write(
                f"数据库中已有行政区划或两新组织（{Area.objects.count()} 个区划、{Organization.objects.count()} 个单位），"
                "演示数据已存在，未做任何修改。如需重建，请加 --reset（将删除现有登记数据）。"
            )
            self.stdout.write(f"打开 {SITE_URL} ，演示账号（密码均为 {demo.DEMO_PASSWORD}）："
                              "admin、county（县委组织部）、auditor（审计）、township、township2（乡镇党务工作者）、"
                              "secretary（党组织书记）、instructor（党建指导员）、api（接口账号，用户名和密码可换取 API 令牌）。")
            return
        started = time.monotonic()
        with transaction.atomic():
            if exists:
                self.stdout.write("正在删除现有登记数据……")
                demo.reset_demo()
            context = demo.build_demo(units=units)
        self._summary(context, time.monotonic() - started)

    # ---- output ------------------------------------------------------------------------

    def _summary(self, context, seconds: float) -> None:
        w = self.stdout.write
        w(self.style.SUCCESS(f"{context.county.name}演示数据已生成（用时 {seconds:.1f} 秒）。"))
        areas = Counter(Area.objects.values_list("level", flat=True))
        w(f"  行政区划：1 个县，{areas[AreaLevel.TOWNSHIP]} 个乡镇、{areas[AreaLevel.STREET]} 个街道，"
          f"{areas[AreaLevel.COMMUNITY]} 个村（社区）")

        units = Organization.objects.all()
        sub_kinds = Counter(units.values_list("sub_kind", flat=True))
        for kind in OrganizationKind:
            of_kind = units.filter(kind=kind)
            parts = "、".join(f"{s.label} {sub_kinds[s]}" for s in SubKind if s in SUB_KINDS_BY_KIND[kind])
            w(f"  {kind.label}：{of_kind.count()} 个（{parts}）")
        active = units.active()
        covered = active.with_coverage().filter(has_party_org=True).count()
        n_active = active.count()
        w(f"  存续及停业单位 {n_active} 个，已建党组织 {covered} 个（组织覆盖率 {covered / max(n_active, 1):.1%}），"
          f"未建 {n_active - covered} 个；注销 {units.filter(status=OrganizationStatus.DISSOLVED).count()} 个")

        party_orgs = PartyOrganization.objects.annotate(n_units=Count("covered_organizations"))
        types = Counter(party_orgs.values_list("org_type", flat=True))
        formations = Counter(party_orgs.values_list("formation", flat=True))
        w(f"  党组织：{party_orgs.count()} 个（" + "、".join(f"{t.label} {types[t]}" for t in PartyOrgType)
          + "；" + "、".join(f"{f.label} {formations[f]}" for f in Formation) + "）")
        warnings = sum(len(party_organization_warnings(po, covered_units=po.n_units)) for po in party_orgs)
        w(f"  结构提醒：{warnings} 条（如联合党支部覆盖单位过多、正式党员不足3人、7人以上未设支委会）")

        instructors = Instructor.objects.annotate(n_units=Count("organizations"))
        overloaded = sum(1 for i in instructors if i.n_units > THRESHOLDS["instructor_max_units"])
        workers = PartyWorker.objects.all()
        w(f"  党建指导员 {instructors.count()} 名（联系单位超过{THRESHOLDS['instructor_max_units']}个的 {overloaded} 名）；"
          f"党务工作者 {workers.count()} 名（专职 {workers.filter(employment=Employment.FULL_TIME).count()} 名）")
        for note in context.notes:
            w(f"  {note}")

        w("")
        w(f"打开 {SITE_URL} ，用以下演示账号登录（密码均为 {demo.DEMO_PASSWORD}）：")
        header = ("用户名", "角色", "密码", "范围")
        rows = [header] + list(context.logins)
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            w("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
        w("")
        w(f"API 令牌（api 账号）：{context.api_token}")
        w(f'  curl -H "Authorization: Token {context.api_token}" {SITE_URL}api/v1/organizations/')


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
