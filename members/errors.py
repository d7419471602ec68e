from config.errors import DomainError


class StepRefused(DomainError):
    """The procedure engine said no; ``data["problems"]`` lists every broken rule."""

    code = "step_refused"
    status = 400

    def __init__(self, verdict):
        super().__init__(verdict.message, problems=[p.as_dict() for p in verdict.problems], step=verdict.step)
        self.verdict = verdict


class DossierError(DomainError):
    code = "dossier_error"
    status = 400
