from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "组织与党组织"

    def ready(self):
        # The home page (accounts) asks each app for its panels; accounts imports none of them.
        from .selectors import home_panels

        self.home_panels = home_panels
