from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CyclesConfig(AppConfig):
    name = "shuzhi.cycles"
    label = "cycles"
    verbose_name = _("述职评议周期")
