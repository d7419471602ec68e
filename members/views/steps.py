"""Taking a step from the browser, checking it without saving, and downloading a
step's document through the scope."""
import os
import uuid

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from config.errors import DomainError

from .. import services
from ..errors import StepRefused
from ..facts import Problem
from ..forms import StepForm
from ..models import StepDocument, StepRecord
from .common import editable_dossier


def dossier_step(request, pk, code):
    """GET: the step's form.  POST: take the step (``action=check``: only ask the engine).

    A refused step shows every broken rule with its article and saves nothing."""
    dossier = editable_dossier(request.user, pk)
    step = dossier.rule_set.rules.step(code)
    if step is None:
        raise Http404("没有这个步骤。")
    posted = request.method == "POST"
    checking = posted and request.POST.get("action") == "check"
    form = StepForm(request.POST if posted else None, request.FILES if posted else None, step=step, user=request.user)
    context = {"dossier": dossier, "step": step, "form": form, "problems": (), "checked": checking,
               "title": f"办理：{step.label}"}
    if checking and request.htmx and not form.is_valid():
        # The check answers into the form's result box: say what the form itself refused.
        context["problems"] = tuple(Problem("field_invalid", f"{form[name].label}：{'；'.join(errors)}")
                                    for name, errors in form.errors.items() if name in form.fields)
        return render(request, "members/_step_check.html", context)
    if posted and form.is_valid():
        on, data = form.cleaned_data["taken_on"], form.step_data()
        if checking:
            verdict = services.check_step(dossier=dossier, step=code, on=on, data=data)
            context["problems"] = verdict.problems
            if request.htmx:
                return render(request, "members/_step_check.html", context)
        else:
            try:
                _take_step(dossier=dossier, step=code, on=on, data=data, note=form.cleaned_data["note"],
                           document=form.cleaned_data.get("document"), by=request.user)
            except StepRefused as refused:
                context["problems"] = refused.verdict.problems
            except DomainError as error:   # a gate another app owns (the quota seat) said no
                context["problems"] = (Problem(error.code, error.message),)
            else:
                messages.success(request, f"已办理“{step.label}”。")
                return redirect(dossier.get_absolute_url())
    return render(request, "members/step_form.html", context)


@transaction.atomic
def _take_step(*, dossier, step, on, data, note, document, by):
    """The step and its document as one change: a refused step keeps no document.

    (The document has no service of its own yet; see the report to the lead.)"""
    record = services.take_step(dossier=dossier, step=step, on=on, data=data, note=note, by=by)
    if document:
        # Stored under a random name: the original name may carry personal data and is
        # kept on the record, to name the download.
        original = os.path.basename(document.name)[:200]
        document.name = f"{uuid.uuid4().hex}{os.path.splitext(original)[1].lower()}"
        attachment = StepDocument(record=record, file=document, name=original, uploaded_by=by)
        attachment.full_clean()
        attachment.save()
    return record


def step_document(request, pk):
    """A step's document, found through the records the user may see (foreign → 404)."""
    document = get_object_or_404(StepDocument, pk=pk, record__in=StepRecord.objects.visible_to(request.user))
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在，请联系管理员。")
    return FileResponse(handle, as_attachment=True, filename=document.name)
