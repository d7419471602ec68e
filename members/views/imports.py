"""Import of people with their dossiers from an XLSX file (members.imports)."""
from django.contrib import messages
from django.shortcuts import redirect, render

from accounts.scoping import require_may_register
from config.spreadsheets import UnreadableWorkbook, xlsx_response
from organizations.forms import OrganizationImportForm as ImportForm   # an .xlsx upload, nothing unit-specific

from .. import imports


def dossier_import(request):
    require_may_register(request.user)
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    report = None
    if posted and form.is_valid():
        try:
            report = imports.import_dossiers(form.cleaned_data["file"], by=request.user)
        except UnreadableWorkbook as error:
            form.add_error("file", str(error))
        else:
            if report.ok:
                messages.success(request, f"导入成功：新建发展档案 {report.dossiers_created} 份（新登记人员 "
                                          f"{report.people_created} 名），办理步骤 {report.steps_taken} 项。")
                return redirect("members:dossier-list")
    return render(request, "members/import.html", {"form": form, "report": report})


def dossier_import_template(request):
    require_may_register(request.user)
    return xlsx_response("发展档案导入模板.xlsx", imports.template_sheets(user=request.user))
