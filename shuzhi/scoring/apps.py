from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "shuzhi.scoring"
    label = "scoring"
    verbose_name = _("考核评定")

    def ready(self) -> None:
        from shuzhi.cycles import hooks as cycle_hooks
        from shuzhi.scoring.services import assessment_check_final

        cycle_hooks.register(archive_check=assessment_check_final)

        from shuzhi.cycles import hooks as rollup_hooks
        from shuzhi.scoring.selectors import rollup_grades

        # 联述联评联考: this area's column of the cycles' roll-up
        rollup_hooks.register_rollup_column(
            rollup_hooks.RollupColumn(key="grades", label=_("等次分布"), cells=rollup_grades, order=20)
        )
