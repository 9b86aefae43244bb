from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.core import facts as fact_registry
from shuzhi.core.forms import StyledFormMixin
from shuzhi.core.grades import Grade
from shuzhi.cycles import rules
from shuzhi.cycles.models import DEFAULT_GROUPS, Cycle, Reporter, ReportStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CycleForm(StyledFormMixin, forms.Form):
    """The set-up of a cycle; the scheme is edited here as a few plain fields and kept as data."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=100)
    groups = forms.CharField(
        label=_("评议分组"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个分组，例如：县区、市直机关、国企、高校。述职人按分组排名。"),
    )
    report_due = forms.DateField(label=_("报告截止日期"), widget=DATE)
    meeting_on = forms.DateField(label=_("评议会议日期"), widget=DATE)
    components = forms.CharField(
        label=_("考核项目及权重"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "每行“名称 权重”，权重之和为 100，例如“现场测评 40”。由平台数据计分的项目在权重后写数据来源，"
            "例如“日常考核 40 整改按期完成率”。"
        ),
    )
    points_good = forms.IntegerField(label=_("“好”折算分"), min_value=0, max_value=100)
    points_fair_good = forms.IntegerField(label=_("“较好”折算分"), min_value=0, max_value=100)
    points_fair = forms.IntegerField(label=_("“一般”折算分"), min_value=0, max_value=100)
    points_poor = forms.IntegerField(label=_("“差”折算分"), min_value=0, max_value=100)
    line_good = forms.IntegerField(label=_("“好”分数线"), min_value=1, max_value=100)
    line_fair_good = forms.IntegerField(label=_("“较好”分数线"), min_value=1, max_value=100)
    line_fair = forms.IntegerField(label=_("“一般”分数线"), min_value=1, max_value=100)
    good_quota_percent = forms.IntegerField(
        label=_("“好”等次比例上限（%）"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("留空表示不设上限。"),
    )
    missing_component = forms.ChoiceField(
        label=_("缺项处理"), choices=[("reweight", _("其余项目按权重折算")), ("zero", _("缺项计零分"))]
    )
    ballot_component = forms.CharField(
        label=_("由现场测评票计分的项目"), max_length=30, required=False,
        help_text=_("填上面考核项目中的一项，例如“现场测评”；留空表示不用测评票计分。"),
    )  # fmt: skip
    class_weights = forms.CharField(
        label=_("各类投票人权重"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行“类别 权重”，和为 100；“其他”代表未列出的各类，例如“党委常委 50 / 其他 50”。评议会议的每个投票人类别再选定计入其中哪一类（例如区委常委计入党委常委）。"),
    )  # fmt: skip
    committee_class = forms.CharField(
        label=_("常委类别名称"), max_length=30, required=False, help_text=_("排序时比较其“好”评率。")
    )
    item_blend_percent = forms.IntegerField(
        label=_("测评项目得分所占比例（%）"), min_value=0, max_value=100, initial=0
    )
    tie_break = forms.ChoiceField(
        label=_("同分排序"),
        choices=[
            ("score,committee_good_rate,good_rate", _("综合得分 → 常委“好”评率 → “好”评率")),
            ("score,good_rate,good_or_fair_rate", _("综合得分 → “好”评率 → “好”和“较好”评率")),
            ("score,good_rate", _("综合得分 → “好”评率")),
        ],
    )
    group_quotas = forms.CharField(
        label=_("分组“好”等次比例（选填）"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行“分组 比例”，覆盖上面的统一比例，例如“国企 40”。"),
    )  # fmt: skip
    bonus_cap = forms.IntegerField(label=_("加分上限"), min_value=0, max_value=100, initial=5)
    deduction_cap = forms.IntegerField(label=_("减分上限"), min_value=0, max_value=100, initial=10)
    vetoes = forms.CharField(
        label=_("一票否决及限制情形"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "每行一种：“情形 差”、“情形 封顶 一般”或“情形 清零 考核项目”。由平台数据认定的情形在后面写"
            "“来源 数据来源”（按分值的再写“低于 60”），例如“年度内受到问责 差 来源 年度内受到问责”。"
        ),
    )

    def __init__(self, *args, cycle: Cycle | None = None, **kwargs):
        if cycle is not None:
            kwargs.setdefault("initial", self.initial_from(cycle.scheme, cycle=cycle))
        else:
            today = timezone.localdate()
            kwargs.setdefault(
                "initial",
                {**self.initial_from(rules.default_scheme()), "year": today.year,
                 "title": _("%(year)d 年度抓基层党建工作述职评议考核") % {"year": today.year},
                 "groups": "\n".join(DEFAULT_GROUPS)},
            )  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fact_sources = fact_registry.sources()
        if cycle is not None:
            self.fields["year"].disabled = True
            if cycle.is_frozen:
                for name in self.fields:
                    if name not in ("report_due", "meeting_on"):
                        self.fields[name].disabled = True

    @staticmethod
    def initial_from(scheme: dict, cycle: Cycle | None = None) -> dict:
        points, lines = scheme.get("grade_points", {}), scheme.get("thresholds", {})
        initial = {
            "components": rules.format_components(scheme.get("components", [])),
            "points_good": points.get(Grade.GOOD), "points_fair_good": points.get(Grade.FAIRLY_GOOD),
            "points_fair": points.get(Grade.AVERAGE), "points_poor": points.get(Grade.POOR),
            "line_good": lines.get(Grade.GOOD), "line_fair_good": lines.get(Grade.FAIRLY_GOOD),
            "line_fair": lines.get(Grade.AVERAGE),
            "good_quota_percent": scheme.get("good_quota_percent"),
            "missing_component": scheme.get("missing_component", "reweight"),
            "ballot_component": next((c["name"] for c in scheme.get("components", []) if c.get("source") == "ballots"), ""),
            "class_weights": rules.format_weights(scheme.get("class_weights", {"*": 100})),
            "committee_class": scheme.get("committee_class", ""),
            "item_blend_percent": scheme.get("item_blend_percent", 0),
            "tie_break": ",".join(scheme.get("tie_break", ["score", "committee_good_rate", "good_rate"])),
            "group_quotas": "\n".join(f"{g} {q}" for g, q in scheme.get("group_quotas", {}).items()),
            "bonus_cap": scheme.get("bonus_cap", 5), "deduction_cap": scheme.get("deduction_cap", 10),
            "vetoes": rules.format_vetoes(scheme.get("vetoes", {})),
        }  # fmt: skip
        if cycle is not None:
            initial.update(
                year=cycle.year, title=cycle.title, groups="\n".join(cycle.groups),
                report_due=cycle.report_due, meeting_on=cycle.meeting_on,
            )  # fmt: skip
        return initial

    def clean_components(self):
        components, problems = rules.parse_components(self.cleaned_data["components"])
        if problems:
            raise forms.ValidationError(problems)
        return components

    def clean_class_weights(self):
        weights, problems = rules.parse_weights(self.cleaned_data["class_weights"])
        if problems:
            raise forms.ValidationError(problems)
        return weights

    def clean_vetoes(self):
        vetoes, problems = rules.parse_vetoes(self.cleaned_data["vetoes"])
        if problems:
            raise forms.ValidationError(problems)
        return vetoes

    def clean_group_quotas(self):
        quotas, problems = rules.parse_weights(self.cleaned_data["group_quotas"])
        if problems:
            raise forms.ValidationError(_("每行应写成“分组 比例”，例如“国企 40”。"))
        return quotas

    def clean_groups(self):
        groups = rules.parse_groups(self.cleaned_data["groups"])
        if not groups:
            raise forms.ValidationError(_("至少设置一个评议分组。"))
        return groups

    def clean(self):
        data = super().clean()
        if data.get("report_due") and data.get("meeting_on") and data["report_due"] > data["meeting_on"]:
            self.add_error("report_due", _("报告截止日期不能晚于评议会议日期。"))
        return data

    def scheme(self) -> dict:
        data = self.cleaned_data
        ballots = data["ballot_component"].strip()
        return {
            "components": [_with_source(c, ballots) for c in data["components"]],
            "grade_points": {Grade.GOOD: data["points_good"], Grade.FAIRLY_GOOD: data["points_fair_good"],
                             Grade.AVERAGE: data["points_fair"], Grade.POOR: data["points_poor"]},
            "thresholds": {Grade.GOOD: data["line_good"], Grade.FAIRLY_GOOD: data["line_fair_good"],
                           Grade.AVERAGE: data["line_fair"]},
            "good_quota_percent": data["good_quota_percent"],
            "missing_component": data["missing_component"],
            "class_weights": data["class_weights"],
            "committee_class": data["committee_class"].strip(),
            "item_blend_percent": data["item_blend_percent"],
            "tie_break": data["tie_break"].split(","),
            "group_quotas": data["group_quotas"],
            "bonus_cap": data["bonus_cap"],
            "deduction_cap": data["deduction_cap"],
            "vetoes": data["vetoes"],
        }  # fmt: skip


def _with_source(component: dict, ballots: str) -> dict:
    """The ballot component named on the form wins over a data source typed on its line."""
    if component["name"] == ballots:
        return {"name": component["name"], "weight": component["weight"], "source": "ballots"}
    return {**component, "source": component.get("source", "entered")}


class ReportersAddForm(StyledFormMixin, forms.Form):
    organizations = forms.ModelMultipleChoiceField(
        label=_("述职单位"),
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("可按住 Ctrl 多选。列出本单位以下两级的组织。"),
        error_messages={"required": _("请至少选择一个述职单位。")},
    )
    group = forms.ChoiceField(label=_("分组"))
    mode = forms.ChoiceField(label=_("述职方式"), choices=Reporter.Mode.choices)

    def __init__(self, *args, cycle: Cycle, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = candidates
        self.fields["organizations"].label_from_instance = lambda org: (
            ("　" * (org.depth - cycle.organization.depth - 1)) + org.name
        )
        self.fields["group"].choices = [(g, g) for g in cycle.groups]


class ReporterForm(StyledFormMixin, forms.Form):
    group = forms.ChoiceField(label=_("分组"))
    mode = forms.ChoiceField(label=_("述职方式"), choices=Reporter.Mode.choices)
    position = forms.IntegerField(label=_("顺序"), min_value=0, max_value=100000)

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g, g) for g in cycle.groups]


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class ReporterFilterForm(StyledFormMixin, forms.Form):
    group = forms.ChoiceField(label=_("分组"), required=False)
    status = forms.ChoiceField(
        label=_("报告状态"), required=False, choices=[("", _("全部")), *list(ReportStatus.choices)]
    )
    late = forms.BooleanField(label=_("只看逾期"), required=False)

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("全部"))] + [(g, g) for g in cycle.groups]


class FromTemplateForm(StyledFormMixin, forms.Form):
    """One's own cycle from the level above's template: a title and one's own dates."""

    title = forms.CharField(label=_("名称"), max_length=100)
    report_due = forms.DateField(label=_("报告截止日期"), widget=DATE)
    meeting_on = forms.DateField(label=_("评议会议日期"), widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("report_due") and data.get("meeting_on") and data["report_due"] > data["meeting_on"]:
            self.add_error("report_due", _("报告截止日期不能晚于评议会议日期。"))
        return data
