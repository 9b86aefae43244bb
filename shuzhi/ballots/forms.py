from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.core.grades import Counts, Grade
from shuzhi.cycles.models import Reporter

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeetingForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=100)
    held_on = forms.DateField(label=_("会议日期"), widget=DATE)
    items = forms.CharField(
        label=_("测评项目（选填）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项，例如“班子建设”。留空则只评等次（好、较好、一般、差）。"),
    )
    item_max = forms.IntegerField(label=_("每项满分"), min_value=1, max_value=100, initial=10)
    allow_suggestion = forms.BooleanField(label=_("允许填写意见建议"), required=False, initial=True)
    max_good_count = forms.IntegerField(
        label=_("每张票“好”的最多个数（选填）"), min_value=0, max_value=1000, required=False
    )
    max_good_percent = forms.IntegerField(
        label=_("每张票“好”的最高比例 %（选填）"), min_value=1, max_value=100, required=False
    )
    min_class_size = forms.IntegerField(
        label=_("分类统计的最少票数"), min_value=1, max_value=100, initial=5,
        help_text=_("某类投票人少于此票数时，不单独显示该类的统计，以免推断出个人投票。"),
    )  # fmt: skip
    announce = forms.BooleanField(label=_("投票结束后在大屏幕当场公布结果"), required=False)

    def clean_items(self):
        lines = [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
        if len(set(lines)) != len(lines):
            raise forms.ValidationError(_("测评项目名称不能重复。"))
        if len(lines) > 30:
            raise forms.ValidationError(_("测评项目最多 30 项。"))
        if any(len(line) > 30 for line in lines):
            raise forms.ValidationError(_("每个测评项目名称不超过 30 个字。"))
        return lines

    @staticmethod
    def initial_from(meeting) -> dict:
        return {
            "title": meeting.title, "held_on": meeting.held_on, "items": "\n".join(meeting.items),
            "item_max": meeting.item_max, "allow_suggestion": meeting.allow_suggestion,
            "max_good_count": meeting.max_good_count, "max_good_percent": meeting.max_good_percent,
            "min_class_size": meeting.min_class_size, "announce": meeting.announce,
        }  # fmt: skip


class VoterClassForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("投票人类别"), max_length=30, help_text=_("例如：区委常委、党代表、基层党员群众代表。")
    )
    ballots = forms.IntegerField(label=_("票数"), min_value=1, max_value=5000)
    scheme_class = forms.ChoiceField(
        label=_("计入考核方案的类别"), required=False,
        help_text=_("该类投票人的票按考核方案中哪一类的权重计分。"),
    )  # fmt: skip

    def __init__(self, *args, scheme_classes: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme_class"].choices = [("", _("其他（合并计分）")), *((n, n) for n in scheme_classes)]


class SchemeClassForm(StyledFormMixin, forms.Form):
    scheme_class = forms.ChoiceField(label=_("计入考核方案的类别"), required=False)

    def __init__(self, *args, scheme_classes: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme_class"].choices = [("", _("其他（合并计分）")), *((n, n) for n in scheme_classes)]


class PaperTallyForm(StyledFormMixin, forms.Form):
    """A class's paper count: for every reporter, how many 好 / 较好 / 一般 / 差."""

    def __init__(self, *args, reporters: list[Reporter], initial_counts: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.reporters = reporters
        for reporter in reporters:
            for grade in Grade:
                value = getattr((initial_counts or {}).get(reporter.pk), grade.field, None)
                self.fields[f"{grade.field}_{reporter.pk}"] = forms.IntegerField(
                    label=f"{reporter.organization.name} {grade.label}", min_value=0, max_value=100000, initial=value,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )  # fmt: skip

    def rows(self):
        return [(r, [self[f"{g.field}_{r.pk}"] for g in Grade]) for r in self.reporters]

    def counts(self) -> dict[int, Counts]:
        return {
            r.pk: Counts(*(self.cleaned_data[f"{g.field}_{r.pk}"] for g in Grade)) for r in self.reporters
        }


class PaperCountForm(StyledFormMixin, forms.Form):
    issued = forms.IntegerField(label=_("发出"), min_value=0)
    returned = forms.IntegerField(label=_("收回"), min_value=0)
    valid = forms.IntegerField(label=_("有效"), min_value=0)
    invalid = forms.IntegerField(label=_("无效"), min_value=0)


class ScrutineerForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("监票人姓名"), max_length=50)
    username = forms.CharField(
        label=_("监票人账号（选填）"), max_length=150, required=False,
        help_text=_("监票人用本人账号登录签字；没有账号的，添加后生成一次性签字码交给本人。"),
    )  # fmt: skip


class SignCodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("签字码"), max_length=20, help_text=_("会务人员交给您的 8 位签字码，字母不分大小写。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )  # fmt: skip


class CommentForm(StyledFormMixin, forms.Form):
    author = forms.TypedChoiceField(
        label=_("点评人"), coerce=int, required=False, empty_value=None,
        help_text=_("代常委录入时，选择作出点评的常委。"),
    )  # fmt: skip
    is_final = forms.BooleanField(label=_("主持人总体点评（针对整个会议）"), required=False)
    reporter = forms.TypedChoiceField(label=_("述职人"), coerce=int, required=False, empty_value=None)
    portfolio = forms.CharField(label=_("分管领域（选填）"), max_length=50, required=False)
    text = forms.CharField(label=_("点评意见"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, reporters: list[Reporter], authors: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reporter"].choices = [("", _("（总体点评不选）")), *(
            (r.pk, f"{r.organization.name}（{r.secretary.full_name}）") for r in reporters
        )]  # fmt: skip
        self.fields["author"].choices = [(user.pk, label) for user, label in authors]
        if len(authors) == 1:
            self.fields["author"].widget = forms.HiddenInput()
            self.fields["author"].initial = authors[0][0].pk

    def clean(self):
        data = super().clean()
        if data.get("is_final") and data.get("reporter"):
            self.add_error("reporter", _("主持人总体点评属于整个会议，请不要选择述职人。"))
        elif not data.get("is_final") and not data.get("reporter") and "reporter" not in self.errors:
            self.add_error("reporter", _("请选择点评的述职人；主持人总体点评请勾选上面一项。"))
        return data


class CodeEntryForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("票码"), max_length=40,
        help_text=_("票签二维码下方的 10 位票码，字母不分大小写，可不输入短横线。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                      "autocorrect": "off", "inputmode": "text"}),
    )  # fmt: skip


class CodeVoidForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("票码"), max_length=40, required=False,
                           help_text=_("交回的票签：填票签上的票码。"))  # fmt: skip
    serial = forms.IntegerField(label=_("存根编号"), min_value=1, required=False,
                                help_text=_("遗失的票签：填存根上的编号。"))  # fmt: skip
