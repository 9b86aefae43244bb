from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shuzhi.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from shuzhi.core.database import on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="shuzhi-core-sqlite-functions")
