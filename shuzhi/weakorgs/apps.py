from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeakorgsConfig(AppConfig):
    name = "shuzhi.weakorgs"
    label = "weakorgs"
    verbose_name = _("软弱涣散整顿")

    def ready(self) -> None:
        from shuzhi.core import facts
        from shuzhi.weakorgs.facts import SOURCES

        for source in SOURCES:
            facts.register(source)
