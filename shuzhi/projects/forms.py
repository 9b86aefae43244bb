from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.orgs.models import Organization
from shuzhi.projects import rules
from shuzhi.projects.models import QUARTERS, DeclaredItem, Question, Questionnaire
from shuzhi.rectification.forms import MultipleFileField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CATEGORIES = [
    ("组织建设", _("组织建设")),
    ("党员队伍", _("党员队伍")),
    ("阵地建设", _("阵地建设")),
    ("制度落实", _("制度落实")),
    ("服务群众", _("服务群众")),
    ("作风建设", _("作风建设")),
    ("其他", _("其他")),
]
FOUND_BY = [
    ("谈心谈话", _("谈心谈话")),
    ("问卷调查", _("问卷调查")),
    ("调查研究", _("调查研究")),
    ("上级督查", _("上级督查")),
    ("群众反映", _("群众反映")),
]
FILES_HELP = _("jpg、png、pdf、docx，每个不超过 10 MB，可多选；不要求上传。")


class RoundForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=100)
    declare_due = forms.DateField(label=_("申报截止日期"), widget=DATE)
    q1_due = forms.DateField(label=_("第一季度进展截止"), widget=DATE)
    q2_due = forms.DateField(label=_("第二季度进展截止"), widget=DATE)
    q3_due = forms.DateField(label=_("第三季度进展截止"), widget=DATE)
    q4_due = forms.DateField(label=_("第四季度进展截止"), widget=DATE)
    scheme = forms.CharField(
        label=_("督查评价等次"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个“等次=分数”（0–100），从高到低，如“好=100”。"),
    )

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            year = timezone.localdate().year
            self.initial.update(
                year=year,
                title=f"{organization.name if organization else ''}{year}年度书记抓基层党建项目",
                declare_due=date(year, 1, 31),
                q1_due=date(year, 4, 10),
                q2_due=date(year, 7, 10),
                q3_due=date(year, 10, 10),
                q4_due=date(year + 1, 1, 10),
                scheme=rules.format_scheme(rules.DEFAULT_SCHEME),
            )

    def clean_scheme(self):
        scheme, problems = rules.parse_scheme(self.cleaned_data["scheme"])
        if problems:
            raise forms.ValidationError(problems)
        return scheme

    def quarter_dues(self) -> list[date]:
        return [self.cleaned_data[f"q{q}_due"] for q in QUARTERS]


class ProblemForm(StyledFormMixin, forms.Form):
    prefix = "problem"  # beside the duty form on one page: its fields' ids stay apart
    text = forms.CharField(label=_("问题"), max_length=300)
    category = forms.ChoiceField(label=_("类别"), choices=CATEGORIES)
    evidence = forms.CharField(
        label=_("查找依据"), max_length=300, help_text=_("如：谈心谈话 12 人次、问卷 86 份中 40% 反映……")
    )


class DutyForm(StyledFormMixin, forms.Form):
    prefix = "duty"
    text = forms.CharField(label=_("责任事项"), max_length=300)
    target = forms.CharField(label=_("量化目标"), max_length=200)
    owner = forms.CharField(label=_("责任人"), max_length=50)
    due = forms.DateField(label=_("完成时限"), widget=DATE)


class ProjectForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=100)
    problem = forms.ModelChoiceField(label=_("针对的问题"), queryset=DeclaredItem.objects.none())
    goals = forms.CharField(
        label=_("目标"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "每行一条“目标｜量化指标｜完成日期”，如“建强村级后备力量｜每村储备后备干部2名｜2026-12-31”。"
        ),
    )
    m1 = forms.CharField(label=_("一季度节点"), max_length=300)
    m2 = forms.CharField(label=_("二季度节点"), max_length=300)
    m3 = forms.CharField(label=_("三季度节点"), max_length=300)
    m4 = forms.CharField(label=_("四季度节点"), max_length=300)
    team = forms.CharField(label=_("团队成员"), max_length=300, required=False)
    budget = forms.DecimalField(
        label=_("预算（万元）"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    files = MultipleFileField(label=_("附件（实施方案等）"), required=False, help_text=FILES_HELP)

    def __init__(self, *args, declaration, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = declaration.round.year
        self.fields["problem"].queryset = declaration.items.filter(kind=DeclaredItem.Kind.PROBLEM)
        self.fields["problem"].empty_label = _("（先在问题清单中添加问题）")

    def clean_goals(self):
        goals, problems = rules.parse_goals(self.cleaned_data["goals"], year=self.year)
        if problems:
            raise forms.ValidationError(problems)
        return goals

    def milestones(self) -> list[str]:
        return [self.cleaned_data[f"m{q}"] for q in QUARTERS]


class ReturnForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class CarryForm(forms.Form):
    items = forms.TypedMultipleChoiceField(label=_("上年未完成的整改事项"), coerce=int, choices=())

    def __init__(self, *args, offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(i.pk, i.title) for i in offered]
        self.fields["items"].widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class ProgressForm(StyledFormMixin, forms.Form):
    quarter = forms.TypedChoiceField(
        label=_("季度"), coerce=int, choices=[(q, _("第%(q)d季度") % {"q": q}) for q in QUARTERS]
    )
    done = forms.CharField(
        label=_("对照节点完成情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    figures = forms.CharField(label=_("数据指标"), max_length=300, required=False)
    files = MultipleFileField(label=_("佐证材料"), required=False, help_text=FILES_HELP)


class RatingForm(StyledFormMixin, forms.Form):
    label = forms.ChoiceField(label=_("评价"))
    comment = forms.CharField(label=_("督查意见"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    onsite = forms.CharField(
        label=_("实地查看情况"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = [(s["label"], f"{s['label']}（{s['score']}）") for s in scheme]


class ExemplaryForm(StyledFormMixin, forms.Form):
    exemplary = forms.BooleanField(label=_("可复制可推广"), required=False)
    note = forms.CharField(label=_("推广理由"), max_length=300, required=False)


# ---- 问卷调查 ------------------------------------------------------------------------------------


class SurveyForm(StyledFormMixin, forms.Form):
    organization = forms.ModelChoiceField(
        label=_("调查单位"), queryset=Organization.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("问卷名称"), max_length=100)
    intro = forms.CharField(
        label=_("说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    audience = forms.ChoiceField(label=_("调查对象"), choices=Questionnaire.Audience.choices)
    mode = forms.ChoiceField(
        label=_("答题方式"),
        choices=Questionnaire.Mode.choices,
        help_text=_(
            "一次性答题码：打印带二维码的答题条随机发放，一码一答；公开链接：同一网络地址每小时最多提交 5 份。"
        ),
    )
    min_group = forms.IntegerField(
        label=_("显示结果的最少份数"),
        min_value=3,
        max_value=100,
        initial=5,
        help_text=_("收回份数（或某题作答人数）少于此数时不显示结果，避免推断出个人的回答。"),
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            pk__in=[u.pk for u in units]
        ).order_by("path")


class QuestionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("题型"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("题目"), max_length=200)
    options = forms.CharField(
        label=_("选项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("单选、多选题每行写一个选项（2–10 个）；评分题和文字题不填。"),
    )
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)


class PublishForm(StyledFormMixin, forms.Form):
    codes = forms.IntegerField(
        label=_("答题码数量"),
        min_value=1,
        max_value=3000,
        required=False,
        help_text=_("按调查对象人数准备，可略多几张；每张答题条一码一答。"),
    )


class FindingForm(StyledFormMixin, forms.Form):
    prefix = "finding"
    question = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("发现的问题"), max_length=300)
    category = forms.ChoiceField(label=_("类别"), choices=CATEGORIES)
    evidence = forms.CharField(label=_("查找依据"), max_length=300)
