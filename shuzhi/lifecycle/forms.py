from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.lifecycle import rules
from shuzhi.lifecycle.models import Audience, Departure, Question, Step
from shuzhi.lifecycle.services import DOCUMENTS_MAX
from shuzhi.members.models import ETHNICITIES, Member
from shuzhi.orgs.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,.jpg,.jpeg,.png,.pdf"})
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("材料扫描件（PDF 或图片，可多选）"))
        kwargs.setdefault("help_text", _("最多 %(n)d 个，每个不超过 10 MB。") % {"n": DOCUMENTS_MAX})
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ApplicantForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=30, help_text=_("出生日期和性别按身份证号确定。")
    )
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    ethnicity = forms.ChoiceField(label=_("民族"), choices=[(e, e) for e in ETHNICITIES], initial="汉族")
    education = forms.ChoiceField(label=_("学历"), choices=Member.Education.choices)
    category = forms.ChoiceField(label=_("人员类别"), choices=Member.Category.choices)
    applied_on = forms.DateField(label=_("递交入党申请书日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
    files = DocumentsField()


class StepForm(StyledFormMixin, forms.Form):
    """The next step as done: its date and what its check needs (the view drops what it does not)."""

    done_on = forms.DateField(label=_("日期"), widget=DATE)
    until = forms.DateField(label=_("结束日期"), widget=DATE, required=False)
    hours = forms.IntegerField(label=_("学时"), min_value=0, max_value=999, required=False)
    person1 = forms.CharField(label=_("第一人"), max_length=40, required=False)
    person2 = forms.CharField(label=_("第二人"), max_length=40, required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
    files = DocumentsField()

    def __init__(self, *args, step: Step, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        if step.special == rules.TWO_PEOPLE:
            self.fields["person1"].label = _("%(who)s（一）") % {"who": step.people_label}
            self.fields["person2"].label = _("%(who)s（二）") % {"who": step.people_label}
        else:
            del self.fields["person1"], self.fields["person2"]
        if step.special in (rules.TRAINING, rules.PUBLICITY):
            self.fields["done_on"].label = _("开始日期")
        else:
            del self.fields["until"]
        if step.special != rules.TRAINING:
            del self.fields["hours"]
        if step.documents:
            self.fields["files"].label = _("材料扫描件：%(what)s") % {"what": step.documents}

    def entry(self) -> rules.StepEntry:
        data = self.cleaned_data
        return rules.StepEntry(done_on=data["done_on"], until=data.get("until"), hours=data.get("hours"),
                               people=(data.get("person1", ""), data.get("person2", "")), note=data.get("note", ""))  # fmt: skip


class StopForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("终止原因"), max_length=300)


class DepartureForm(StyledFormMixin, forms.Form):
    member = forms.TypedChoiceField(label=_("党员"), coerce=int, choices=())
    kind = forms.ChoiceField(label=_("类别"), choices=Departure.Kind.choices)
    left_on = forms.DateField(label=_("日期"), widget=DATE)
    note = forms.CharField(label=_("说明（处理依据、文号）"), max_length=500, required=False)

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "—")] + [
            (m.pk, f"{m.name}（{m.get_status_display()}）") for m in roster
        ]


class AsOfForm(StyledFormMixin, forms.Form):
    day = forms.DateField(label=_("截至日期"), widget=DATE)


class TransferForm(StyledFormMixin, forms.Form):
    member = forms.TypedChoiceField(label=_("党员"), coerce=int, choices=())
    to_code = forms.CharField(label=_("转入党支部的组织编码（平台内）"), max_length=32, required=False)
    destination = forms.CharField(label=_("或：转往平台外的党组织"), max_length=100, required=False)
    reason = forms.CharField(label=_("转接原因"), max_length=200)
    sent_on = forms.DateField(label=_("转出日期"), widget=DATE)

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "—")] + [(m.pk, m.name) for m in roster]


class TransferActForm(StyledFormMixin, forms.Form):
    ACTIONS = ("receive", "confirm", "return")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    transfer = forms.IntegerField()
    day = forms.DateField(label=_("日期"), widget=DATE, required=False)
    note = forms.CharField(label=_("退回原因"), max_length=300, required=False)


class MobileForm(StyledFormMixin, forms.Form):
    member = forms.TypedChoiceField(label=_("党员"), coerce=int, choices=())
    place = forms.CharField(label=_("外出地点及单位"), max_length=100)
    inflow_code = forms.CharField(
        label=_("流入地党组织的组织编码（在平台内时填写）"), max_length=32, required=False
    )
    certificate_number = forms.CharField(label=_("流动党员活动证编号"), max_length=30)
    contact = forms.CharField(label=_("联系电话"), max_length=30)
    left_on = forms.DateField(label=_("外出日期"), widget=DATE)

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "—")] + [(m.pk, m.name) for m in roster]


class MobileActForm(StyledFormMixin, forms.Form):
    ACTIONS = ("activity", "lost", "found", "return")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    record = forms.IntegerField()
    day = forms.DateField(widget=DATE)
    what = forms.CharField(max_length=200, required=False)


# Training and tests online ---------------------------------------------------------------------


class BankForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("题库名称"), max_length=100)


class BankImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("试题表（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=_("列：题型、题干、选项A…选项F、答案、分值。有一行有误则整表不导入。"),
    )


class QuestionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("题型"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("题干"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    option_a = forms.CharField(label=_("选项A"), max_length=200, required=False)
    option_b = forms.CharField(label=_("选项B"), max_length=200, required=False)
    option_c = forms.CharField(label=_("选项C"), max_length=200, required=False)
    option_d = forms.CharField(label=_("选项D"), max_length=200, required=False)
    option_e = forms.CharField(label=_("选项E"), max_length=200, required=False)
    option_f = forms.CharField(label=_("选项F"), max_length=200, required=False)
    answer = forms.CharField(
        label=_("答案"), max_length=8, help_text=_("选项字母，如 A 或 ACD；判断题填“对”或“错”。")
    )
    points = forms.IntegerField(label=_("分值"), min_value=1, max_value=100, initial=1)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    OPTION_FIELDS = ("option_a", "option_b", "option_c", "option_d", "option_e", "option_f")

    @classmethod
    def initial_of(cls, question: Question) -> dict:
        initial = {
            "kind": question.kind,
            "text": question.text,
            "points": question.points,
            "active": question.active,
        }
        options = question.options if question.kind != rules.JUDGE else []
        initial.update(dict(zip(cls.OPTION_FIELDS, options, strict=False)))
        answer = question.answer
        if question.kind == rules.JUDGE:
            answer = "对" if answer == "A" else "错"
        initial["answer"] = answer
        return initial

    def options(self) -> list[str]:
        return [self.cleaned_data.get(name, "") for name in self.OPTION_FIELDS]


class CourseForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("课程名称"), max_length=100)
    hours = forms.IntegerField(label=_("学时"), min_value=1, max_value=100)
    audience = forms.ChoiceField(label=_("培训对象"), choices=Audience.choices, initial=Audience.CANDIDATE)


class ExamForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("测试名称"), max_length=100)
    audience = forms.ChoiceField(
        label=_("对象"),
        choices=[(Audience.CANDIDATE, Audience.CANDIDATE.label), (Audience.WORKER, Audience.WORKER.label)],
    )
    bank = forms.TypedChoiceField(label=_("题库"), coerce=int, choices=())
    single_count = forms.IntegerField(label=_("单选题数"), min_value=0, max_value=100, initial=10)
    multiple_count = forms.IntegerField(label=_("多选题数"), min_value=0, max_value=100, initial=5)
    judge_count = forms.IntegerField(label=_("判断题数"), min_value=0, max_value=100, initial=5)
    pass_percent = forms.IntegerField(label=_("及格线（得分率 %）"), min_value=1, max_value=100, initial=60)
    max_attempts = forms.IntegerField(label=_("最多测试次数"), min_value=1, max_value=10, initial=3)
    time_limit = forms.IntegerField(label=_("限时（分钟，0 为不限）"), min_value=0, max_value=600, initial=0)
    valid_months = forms.IntegerField(
        label=_("资格有效期（月，履职资格测试）"), min_value=1, max_value=120, initial=24
    )

    def __init__(self, *args, banks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].choices = [("", "—")] + [(b.pk, b.title) for b in banks]


class AttendanceForm(StyledFormMixin, forms.Form):
    course = forms.TypedChoiceField(label=_("课程"), coerce=int, choices=())
    attended_on = forms.DateField(label=_("参训日期"), widget=DATE)

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", "—")] + [
            (c.pk, f"{c.title}（{c.hours} 学时）") for c in courses
        ]


class CodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("测试码"), max_length=20)


class PlanForm(StyledFormMixin, forms.Form):
    organization = forms.TypedChoiceField(label=_("下达给"), coerce=int, choices=())
    total = forms.IntegerField(label=_("发展总数"), min_value=0, max_value=100000)
    young = forms.IntegerField(label=_("其中35岁以下"), min_value=0, max_value=100000, initial=0)
    women = forms.IntegerField(label=_("其中女性"), min_value=0, max_value=100000, initial=0)
    frontline = forms.IntegerField(label=_("其中生产工作一线"), min_value=0, max_value=100000, initial=0)
    fields_text = forms.CharField(
        label=_("分领域（每行“领域=人数”）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：农村=5。领域：%(f)s。")
        % {"f": "、".join(str(label) for _v, label in Organization.Field.choices)},
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "—")] + [(c.pk, c.name) for c in children]

    def clean_fields_text(self) -> dict[str, int]:
        labels = {str(label): value for value, label in Organization.Field.choices}
        found: dict[str, int] = {}
        for number, line in enumerate(self.cleaned_data["fields_text"].splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, count = line.replace("＝", "=").partition("=")
            if not sep or name.strip() not in labels or not count.strip().isdigit():
                raise forms.ValidationError(
                    _("第 %(n)d 行“%(line)s”应写成“领域=人数”，领域为：%(f)s。")
                    % {"n": number, "line": line.strip()[:30], "f": "、".join(labels)}
                )
            found[labels[name.strip()]] = int(count.strip())
        return found
