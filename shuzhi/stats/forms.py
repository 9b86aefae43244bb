from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.stats import rules

EARLIEST = date(1949, 10, 1)


class StatsForm(StyledFormMixin, forms.Form):
    """The statistics' scope and date (GET): an organisation of the viewer's subtree, a day."""

    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    day = forms.DateField(
        label=_("统计日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_day(self):
        day = self.cleaned_data.get("day")
        latest = rules.default_day(timezone.localdate())
        if day is not None and not EARLIEST <= day <= latest:
            raise forms.ValidationError(
                _("统计日期应在 %(low)s 与 %(high)s 之间。")
                % {"low": f"{EARLIEST:%Y-%m-%d}", "high": f"{latest:%Y-%m-%d}"}
            )
        return day


class TrendsForm(StatsForm):
    """The trends' scope, day and span (近5年, 近10年)."""

    years = forms.TypedChoiceField(
        label=_("年数"), coerce=int, required=False,
        choices=[(n, _("近%(n)s年") % {"n": n}) for n in rules.TREND_YEARS],
    )  # fmt: skip


def scope_and_day(data, form_class: type[StatsForm] = StatsForm) -> tuple[StatsForm, int | None, date]:
    """The form, the organisation asked for (None: the viewer's own) and the day (the default
    when none or a wrong one was given; the form then carries the reason)."""
    default = rules.default_day(timezone.localdate())
    data = data.copy()
    if not data.get("day"):
        data["day"] = f"{default:%Y-%m-%d}"  # shown in the field, so the page says which day it counts
    if form_class is TrendsForm:
        data["years"] = str(years_of(data))  # a span not offered (a link made by hand): the default
    form = form_class(data)
    if not form.is_valid():
        org = form.cleaned_data.get("org") if hasattr(form, "cleaned_data") else None
        return form, org, default
    return form, form.cleaned_data.get("org"), form.cleaned_data.get("day") or default


def years_of(data) -> int:
    """The span of the trends (近5年, 近10年); anything else asks for the default."""
    try:
        years = int(data.get("years") or rules.TREND_YEARS[0])
    except ValueError:
        return rules.TREND_YEARS[0]
    return years if years in rules.TREND_YEARS else rules.TREND_YEARS[0]
