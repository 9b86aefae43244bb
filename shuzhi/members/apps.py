from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "shuzhi.members"
    label = "members"
    verbose_name = _("党员")

    def ready(self):
        from shuzhi.members.selectors import member_by_id_number
        from shuzhi.orgs import hooks

        hooks.register_member_lookup(member_by_id_number)
