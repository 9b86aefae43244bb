from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "shuzhi.records"
    label = "records"
    verbose_name = _("党员记实")

    def ready(self) -> None:
        from shuzhi.core import facts
        from shuzhi.orgs import hooks as org_hooks
        from shuzhi.records.facts import SOURCES
        from shuzhi.records.selectors import org_panel_url

        for source in SOURCES:
            facts.register(source)
        org_hooks.register_panel(org_panel_url)
