from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "shuzhi.rectification"
    label = "rectification"
    verbose_name = _("整改与问责")

    def ready(self) -> None:
        from shuzhi.core import facts
        from shuzhi.rectification.facts import SOURCES

        for source in SOURCES:
            facts.register(source)
