from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shuzhi.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from django.core.checks import Tags, register

        from shuzhi.core.checks import keys_apart_from_data
        from shuzhi.core.database import on_connection_created

        register(keys_apart_from_data, Tags.security, deploy=True)

        connection_created.connect(on_connection_created, dispatch_uid="shuzhi-core-sqlite-functions")
