from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "shuzhi.standards"
    label = "standards"
    verbose_name = _("标准化规范化")

    def ready(self) -> None:
        from shuzhi.core import facts
        from shuzhi.standards.facts import SOURCES

        for source in SOURCES:
            facts.register(source)
