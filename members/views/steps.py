"""Taking a step from the browser (with its documents, or as 补录) and checking it
without saving."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from config.errors import DomainError

from .. import services
from ..errors import StepRefused
from ..facts import Problem
from ..forms import StepForm
from ..materials.catalogue import requirements_by_step
from ..materials.checklist import step_checklist
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
    catalogue = requirements_by_step(dossier.rule_set).get(code, [])
    form = StepForm(request.POST if posted else None, request.FILES if posted else None, step=step, user=request.user,
                    requirements=catalogue)
    context = {"dossier": dossier, "step": step, "form": form, "problems": (), "checked": checking,
               "title": f"办理：{step.label}",
               "pending": step_checklist(dossier=dossier, step=step, catalogue=catalogue, record=None)}
    if checking and request.htmx and not form.is_valid():
        # The check answers into the form's result box: say what the form itself refused.
        context["problems"] = tuple(Problem("field_invalid", f"{form[name].label}：{'；'.join(errors)}")
                                    for name, errors in form.errors.items() if name in form.fields)
        return render(request, "members/_step_check.html", context)
    if posted and form.is_valid():
        on, data = form.cleaned_data["taken_on"], form.step_data()
        if checking:
            verdict = services.check_step(dossier=dossier, step=code, on=on, data=data, with_materials=True,
                                          backfill_reason=form.backfill_reason_given())
            context["problems"] = verdict.problems
            if request.htmx:
                return render(request, "members/_step_check.html", context)
        else:
            try:
                services.take_step(dossier=dossier, step=code, on=on, data=data, note=form.cleaned_data["note"],
                                   uploads=form.uploads(), backfill_reason=form.backfill_reason_given(),
                                   by=request.user)
            except StepRefused as refused:
                context["problems"] = refused.verdict.problems
            except DomainError as error:   # a gate another app owns (the quota seat) said no
                context["problems"] = (Problem(error.code, error.message),)
            else:
                messages.success(request, f"已办理“{step.label}”。")
                return redirect(dossier.get_absolute_url())
    return render(request, "members/step_form.html", context)


