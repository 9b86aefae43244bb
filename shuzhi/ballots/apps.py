from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BallotsConfig(AppConfig):
    name = "shuzhi.ballots"
    label = "ballots"
    verbose_name = _("评议会议与测评")
