from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "shuzhi.lifecycle"
    label = "lifecycle"
    verbose_name = _("发展党员与组织关系")
