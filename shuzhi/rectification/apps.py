from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "shuzhi.rectification"
    label = "rectification"
    verbose_name = _("整改与问责")

    def ready(self) -> None:
        from shuzhi.core import facts
        from shuzhi.cycles import hooks as cycle_hooks
        from shuzhi.rectification.facts import SOURCES
        from shuzhi.rectification.selectors import carried_over, cycle_notice
        from shuzhi.reports import hooks as report_hooks

        for source in SOURCES:
            facts.register(source)
        cycle_hooks.register(notice=cycle_notice)
        report_hooks.register(carry_over=carried_over)

        from shuzhi.cycles import hooks as rollup_hooks
        from shuzhi.rectification.selectors import rollup_closure

        # 联述联评联考: this area's column of the cycles' roll-up
        rollup_hooks.register_rollup_column(
            rollup_hooks.RollupColumn(
                key="rectification", label=_("整改销号率"), cells=rollup_closure, order=30
            )
        )
