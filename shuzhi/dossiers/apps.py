from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "shuzhi.dossiers"
    label = "dossiers"
    verbose_name = _("党员档案与能人储备")

    def ready(self) -> None:
        from shuzhi.core import facts
        from shuzhi.dossiers.facts import SOURCES

        for source in SOURCES:
            facts.register(source)
