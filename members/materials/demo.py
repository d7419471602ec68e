"""Scans for the demo county's step records (used by members.demo).

Most required personal documents are there — every demo material points at one small
placeholder PDF, stored once — and a share is missing, those steps recorded as 补录,
so the dossier list, the checklists and the completeness figures have something to
show.  Its own random generator, so the rest of the demo draws what it always drew.
"""
import hashlib
import random
from collections import defaultdict

from django.core.files.base import ContentFile

from ..models import Material, MaterialRequirement, MaterialScope

PLACEHOLDER_NAME = "materials/demo/placeholder-scan.pdf"
PLACEHOLDER_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 44>>stream\nBT /F1 24 Tf 72 760 Td (Demo scan) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n")
MISSING_SHARE = 0.06
BACKFILL_REASON = "纸质材料已归档，扫描件待补传"
TITLE_NAME = "扫描件.pdf"


class DemoMaterials:
    def __init__(self, rule_set, admin, seed: int = 20261120):
        self.rng = random.Random(seed)
        self.admin = admin
        self.counted = defaultdict(list)
        for item in MaterialRequirement.objects.filter(rule_set=rule_set, required=True, scope=MaterialScope.PERSONAL):
            self.counted[item.step].append(item)
        storage = Material._meta.get_field("file").storage
        if not storage.exists(PLACEHOLDER_NAME):
            storage.save(PLACEHOLDER_NAME, ContentFile(PLACEHOLDER_PDF))
        self.sha256 = hashlib.sha256(PLACEHOLDER_PDF).hexdigest()

    def _draw(self, step: str, complete: bool) -> list:
        """The documents a step has; all of them for a dossier that is (or will be)
        archived, since the archive step needs every one."""
        items = self.counted.get(step, ())
        return list(items) if complete else [item for item in items if self.rng.random() >= MISSING_SHARE]

    def _row(self, item, *, dossier_id, record=None) -> Material:
        return Material(dossier_id=dossier_id, step=item.step, requirement=item, record=record, title=item.name,
                        file=PLACEHOLDER_NAME, name=f"{item.name}{TITLE_NAME}", size=len(PLACEHOLDER_PDF),
                        sha256=self.sha256, uploaded_by=self.admin)

    def mark(self, records, *, complete: bool) -> None:
        """Before bulk-writing one dossier's ``records``: draw which documents each has; set
        its counters and, when one is missing, its 补录 reason (the step could not have been
        taken otherwise).  :meth:`rows` then gives the material rows, once the records are saved."""
        for record in records:
            present = self._draw(record.step, complete)
            record._demo_present = present
            record.materials_required = len(self.counted.get(record.step, ()))
            record.materials_present = len(present)
            if len(present) < record.materials_required:
                record.backfill_reason = BACKFILL_REASON

    def rows(self, records) -> list[Material]:
        return [self._row(item, dossier_id=record.dossier_id, record=record)
                for record in records for item in getattr(record, "_demo_present", ())]

    def ahead_of_step(self, dossier, step: str, *, complete: bool) -> tuple[list[Material], str]:
        """The drawn documents of ``step``, to write before taking it through the service,
        and the 补录 reason to give if some are missing ("" when all are there)."""
        present = self._draw(step, complete)
        reason = BACKFILL_REASON if len(present) < len(self.counted.get(step, ())) else ""
        return [self._row(item, dossier_id=dossier.pk) for item in present], reason

    def application_uploads(self, *, complete: bool) -> tuple[list[tuple], str]:
        """Step 1 is taken by start_dossier, before a dossier exists to hang rows on: its
        documents go through the upload service, each as its own small file."""
        present = self._draw("apply", complete)
        uploads = [(item, ContentFile(PLACEHOLDER_PDF, name=f"{item.name}{TITLE_NAME}")) for item in present]
        return uploads, (BACKFILL_REASON if len(present) < len(self.counted.get("apply", ())) else "")
