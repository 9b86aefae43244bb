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

        from shuzhi.cycles import hooks as rollup_hooks
        from shuzhi.weakorgs.selectors import rollup_weak

        # 联述联评联考: this area's column of the cycles' roll-up
        rollup_hooks.register_rollup_column(
            rollup_hooks.RollupColumn(key="weak", label=_("软弱涣散（销号率）"), cells=rollup_weak, order=40)
        )
