"""{{ member.joined|known_date }}: 2008-07-01, or 2008-07 for a date known only to its month."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from shuzhi.core import dates

register = template.Library()


@register.filter
def known_date(value, empty: str = "—"):
    if value is None or value == "":
        return empty
    if isinstance(value, dates.MonthDate):
        return format_html('<span title="{}">{}</span>', _("只知年月，日不详"), dates.shown(value))
    return dates.shown(value)
