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
