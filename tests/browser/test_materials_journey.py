"""Materials in a real browser: a township worker sees each step's checklist, downloads
the filled political-review letter for the current step and uploads the signed copy."""
import io

import pytest
from docx import Document
from playwright.sync_api import expect

from accounts.models import Role
from members.materials import services as material_services
from members.models import Material
from tests.members.helpers import advance

pytestmark = [pytest.mark.browser, pytest.mark.materials, pytest.mark.django_db(transaction=True)]


def test_worker_sees_checklists_downloads_a_form_and_uploads_the_signed_copy(
        world, live_server, page, screenshot, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with monkeypatch.context() as patch:          # history taken without documents, as if imported
        patch.setattr(material_services, "step_problems", lambda **kwargs: [])
        track = advance(world, "political_review")
    dossier = track.dossier

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", Role.TOWNSHIP_WORKER)
    page.fill("#id_password", "pass-12345")
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}{dossier.get_absolute_url()}")
    expect(page.locator("#dossier-completeness")).to_contain_text("0/")
    apply_list = page.locator('.checklist[data-step="apply"]')
    expect(apply_list.locator('.item[data-code="application_letter"]')).to_have_attribute("data-status", "missing")

    review = page.locator("#step-political_review")
    with page.expect_download() as download_info:
        review.locator('.form-link[data-form="review_letter_residence"]').click()
    download = download_info.value
    letter = tmp_path / "政审函.docx"
    download.save_as(letter)
    text = "\n".join(p.text for p in Document(io.BytesIO(letter.read_bytes())).paragraphs)
    assert track.person.name in text and dossier.party_org.name in text and "回　执" in text

    item = review.locator('.checklist[data-record="next"] .item[data-code="review_letter_residence"]')
    expect(item).to_have_attribute("data-status", "missing")
    item.locator('input[type=file]').set_input_files(str(letter))
    item.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("已上传“政审函及回函（户籍所在地）”")
    item = page.locator('#step-political_review .checklist[data-record="next"] .item[data-code="review_letter_residence"]')
    expect(item).to_have_attribute("data-status", "present")
    screenshot("checklist")
    material = Material.objects.get(dossier=dossier, requirement__code="review_letter_residence")
    assert material.name == "政审函.docx" and material.record is None
    assert page.errors == []
