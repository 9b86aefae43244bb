from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "shuzhi.projects"
    label = "projects"
    verbose_name = _("书记领办项目")

    def ready(self) -> None:
        from shuzhi.core import facts
        from shuzhi.projects.facts import SOURCES
        from shuzhi.projects.selectors import report_sections
        from shuzhi.reports import hooks as report_hooks

        for source in SOURCES:
            facts.register(source)
        report_hooks.register_section(report_sections)

        from shuzhi.cycles import hooks as rollup_hooks
        from shuzhi.projects.selectors import rollup_ratings

        # 联述联评联考: this area's column of the cycles' roll-up
        rollup_hooks.register_rollup_column(
            rollup_hooks.RollupColumn(key="projects", label=_("项目评价"), cells=rollup_ratings, order=50)
        )
