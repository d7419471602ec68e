from django.apps import AppConfig


class QuotasConfig(AppConfig):
    name = "quotas"
    verbose_name = "发展计划"

    def ready(self):
        # members defines the hooks, quotas fills them (dependency direction: quotas → members).
        from members import procedure
        from members.models import Dossier
        from members.signals import dossier_ended

        from . import seats

        procedure.register_gate("pre_review", seats.reserve_seat)
        procedure.register_gate("admission_approval", seats.use_seat)
        dossier_ended.connect(seats.release_seat, sender=Dossier, dispatch_uid="quotas.release_seat")

        # seed_demo: this year's plan and the dossiers that need its seats (quotas.demo).
        from .demo import build_demo_quotas, reset_demo_quotas

        self.demo_builder = build_demo_quotas
        self.demo_reset = reset_demo_quotas
