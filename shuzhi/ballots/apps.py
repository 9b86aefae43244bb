from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BallotsConfig(AppConfig):
    name = "shuzhi.ballots"
    label = "ballots"
    verbose_name = _("评议会议与测评")

    def ready(self):
        from shuzhi.core.roles_sql import delete_guarded_by_trigger

        # closing the vote deletes and rewrites these in a random order; their trigger lets that
        # one DELETE through and refuses every other (migration 0015)
        delete_guarded_by_trigger("ballots_ballot", "ballots_ballotmark")

        from shuzhi.ballots.selectors import rollup_meetings
        from shuzhi.cycles import hooks as rollup_hooks

        # 联述联评联考: this area's column of the cycles' roll-up
        rollup_hooks.register_rollup_column(
            rollup_hooks.RollupColumn(key="meeting", label=_("评议会议"), cells=rollup_meetings, order=10)
        )
