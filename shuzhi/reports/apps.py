from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "shuzhi.reports"
    label = "reports"
    verbose_name = _("述职报告")

    def ready(self) -> None:
        from shuzhi.cycles import hooks as cycle_hooks
        from shuzhi.reports.services import on_reports_open

        cycle_hooks.register(on_reports_open=on_reports_open)
