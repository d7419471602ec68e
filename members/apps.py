from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "发展党员"

    def ready(self):
        # The home page (accounts) asks each app for its panels; accounts imports none of them.
        from .home import home_panels

        self.home_panels = home_panels

        # seed_demo asks each app for its part of the demo county (organizations.demo).
        from .demo import build_demo_members, reset_demo_members

        self.demo_builder = build_demo_members
        self.demo_reset = reset_demo_members

        # A new rule-set version starts with the catalogue of the version before it.
        from django.db.models.signals import post_save

        from .models import RuleSetVersion

        post_save.connect(_seed_catalogue, sender=RuleSetVersion, dispatch_uid="members.seed_catalogue")


def _seed_catalogue(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .materials.catalogue import seed

        seed(instance)
