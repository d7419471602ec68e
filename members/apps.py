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
