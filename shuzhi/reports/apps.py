from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "shuzhi.reports"
    label = "reports"
    verbose_name = _("述职报告")
