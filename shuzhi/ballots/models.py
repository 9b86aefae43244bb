"""The review meeting (评议会) and its ballots.

Secrecy is in the tables' shape: who voted (CodeUse: which one-time code was used) and what was
voted (Ballot, BallotMark) are separate tables written in one transaction, with nothing that
links them: the ballot rows carry no code, no user, no address, no time and a random id, and
they can only be added to, never changed.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.core.grades import Grade
from shuzhi.core.models import TimeStampedModel
from shuzhi.core.protection import EncryptedCharField


class Meeting(TimeStampedModel):
    """A cycle's review meeting: the agenda, the voter classes, the ballot form and its rules."""

    class Status(models.TextChoices):
        PREPARED = "prepared", _("准备中")  # form, classes and codes are set up
        VOTING_OPEN = "voting_open", _("投票中")  # codes can be used; form, reporters, classes frozen
        VOTING_CLOSED = "voting_closed", _("投票已结束")  # no more phone ballots; paper tallies entered
        TALLIED = "tallied", _("已计票")  # phone and paper combined, scrutineers signed

    cycle = models.OneToOneField(
        "cycles.Cycle", verbose_name=_("周期"), on_delete=models.PROTECT, related_name="meeting"
    )
    title = models.CharField(_("会议名称"), max_length=100)
    held_on = models.DateField(_("会议日期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PREPARED)
    items = models.JSONField(_("测评项目"), default=list, blank=True)  # names of optional scored items
    item_max = models.PositiveSmallIntegerField(_("测评项目满分"), default=10)
    allow_suggestion = models.BooleanField(_("允许填写意见建议"), default=True)
    max_good_count = models.PositiveSmallIntegerField(_("每张票“好”的最多个数"), null=True, blank=True)
    max_good_percent = models.PositiveSmallIntegerField(_("每张票“好”的最高比例（%）"), null=True, blank=True)
    min_class_size = models.PositiveSmallIntegerField(_("分类统计的最少票数"), default=5)
    announce = models.BooleanField(_("投票结束后当场公布"), default=False)

    class Rehearsal(models.TextChoices):
        NONE = "", _("无彩排")  # no rehearsal data: the real vote may open
        OPEN = "open", _("彩排投票中")  # test codes vote into the rehearsal tables only
        CLOSED = "closed", _("彩排已结束")  # the test tally is shown until it is cleared

    # a rehearsal before the real vote (status stays 准备中): test codes, test ballots in tables of
    # their own, the big screen and a test tally; cleared in one step before voting opens
    rehearsal = models.CharField(_("彩排"), max_length=8, choices=Rehearsal.choices, blank=True, default="")
    # the reporters graded on every ballot, in agenda order; frozen when voting opens
    agenda = models.JSONField(_("测评对象"), default=list, editable=False)
    opened_at = models.DateTimeField(_("开始投票时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束投票时间"), null=True, blank=True)
    # the big screen's read-only display link (/s/<token>/), made and revoked by the organiser;
    # empty when there is none. It shows what the big screen shows and nothing else.
    screen_token = models.CharField(_("大屏幕链接令牌"), max_length=40, blank=True, default="", db_index=True)

    class Meta:
        ordering = ["-held_on", "id"]
        verbose_name = _("评议会议")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_good_percent__isnull=True) | models.Q(max_good_percent__lte=100),
                name="meeting_good_percent_range",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.PREPARED

    @property
    def results_visible(self) -> bool:
        return self.status in (self.Status.VOTING_CLOSED, self.Status.TALLIED)


class VoterClass(TimeStampedModel):
    """A kind of voter (市委常委, 党代表, 基层党员群众代表 …) and how many ballots it gets."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="classes"
    )
    name = models.CharField(_("类别"), max_length=30)
    ballots = models.PositiveIntegerField(_("票数"))
    # which class of the cycle's scheme (its class_weights, or its committee class) this one counts
    # under; blank: pooled with the others ("其他"). Set by the organiser, never guessed from the
    # name at scoring time: a county's 区委常委 is the scheme's 党委常委 because it was set so.
    scheme_class = models.CharField(_("计入考核方案的类别"), max_length=30, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["meeting", "position", "id"]
        verbose_name = _("投票人类别")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "name"],
                name="voter_class_unique",
                violation_error_message=_("该类别已存在。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


# A ballot code a person can read and type: 10 characters without 0/O, 1/I/L (31^10, about 50
# bits: with a thousand codes in use, a guess finds one once in about 10^12 tries).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


class BallotCode(models.Model):
    """A one-time ballot code, printed on a slip as a QR code and as a short code to type. Found
    by its keyed hash. `serial` is the slip's count number, printed only on the organiser's stub."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="codes")
    voter_class = models.ForeignKey(VoterClass, on_delete=models.CASCADE, related_name="codes")
    serial = models.PositiveIntegerField(_("编号"))
    token_hash = models.BinaryField(max_length=32, unique=True)
    token = EncryptedCharField(_("票码"))  # kept sealed, so the slips can be printed again
    created_at = models.DateTimeField(auto_now_add=True)
    # a slip reported lost or spoiled: its code is refused from then on, and a new slip is issued
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    # a test code of the rehearsal: votes only while the rehearsal is open, into RehearsalBallot;
    # deleted when the rehearsal is cleared
    rehearsal = models.BooleanField(_("彩排测试票"), default=False)

    class Meta:
        ordering = ["meeting", "serial"]
        verbose_name = _("票码")
        constraints = [models.UniqueConstraint(fields=["meeting", "serial"], name="ballot_code_serial")]

    def __str__(self) -> str:
        return f"{self.meeting_id}-{self.serial}"

    @property
    def short_code(self) -> str:
        """The code as printed for typing, in two groups of five (ABCDE-FGH23)."""
        token = self.token
        if len(token) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in token):
            return f"{token[:5]}-{token[5:]}"
        return token  # a code made before short codes: typed as it is


class CodeUse(models.Model):
    """Who voted: this code has been used. No time, nothing about the ballot."""

    code = models.OneToOneField(BallotCode, primary_key=True, on_delete=models.PROTECT, related_name="use")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="+")
    voter_class = models.ForeignKey(VoterClass, on_delete=models.PROTECT, related_name="uses")

    class Meta:
        verbose_name = _("已用票码")

    def __str__(self) -> str:
        return f"{self.code_id}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("选票只能增加，不能修改。"), code="append_only")

    def delete(self):
        raise ValidationError(_("选票只能增加，不能删除。"), code="append_only")


class Ballot(models.Model):
    """What was voted on one ballot. Deliberately no code, user, address or time; a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="ballots")
    voter_class = models.ForeignKey(VoterClass, on_delete=models.PROTECT, related_name="+")
    suggestion = models.TextField(_("意见建议"), blank=True, max_length=500)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]  # random: says nothing about the order of casting
        verbose_name = _("选票")

    def __str__(self) -> str:
        return str(_("选票"))

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("选票只能增加，不能修改。"), code="append_only")
        super().save(*args, **kwargs)


class BallotMark(models.Model):
    """One reporter's grade (and item scores) on one ballot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="marks")
    reporter = models.ForeignKey("cycles.Reporter", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices)
    scores = models.JSONField(_("项目得分"), default=list, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("评价")

    def __str__(self) -> str:
        return self.get_grade_display()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("选票只能增加，不能修改。"), code="append_only")
        super().save(*args, **kwargs)


class RehearsalBallot(models.Model):
    """A test ballot of the rehearsal: kept apart from the real ballots (its own tables, never
    counted with them) and deleted when the rehearsal is cleared."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rehearsal_ballots")
    voter_class = models.ForeignKey(VoterClass, on_delete=models.CASCADE, related_name="+")
    suggestion = models.TextField(_("意见建议"), blank=True, max_length=500)

    class Meta:
        ordering = ["id"]
        verbose_name = _("彩排测试票")

    def __str__(self) -> str:
        return str(_("彩排测试票"))


class RehearsalMark(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(RehearsalBallot, on_delete=models.CASCADE, related_name="marks")
    reporter = models.ForeignKey("cycles.Reporter", on_delete=models.CASCADE, related_name="+")
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices)
    scores = models.JSONField(_("项目得分"), default=list, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("彩排评价")

    def __str__(self) -> str:
        return self.get_grade_display()


class PaperTally(TimeStampedModel):
    """One entry of a paper count: for a class and a reporter, how many 好/较好/一般/差. Each is
    entered twice, by two people; the two entries must agree."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="paper_tallies")
    voter_class = models.ForeignKey(VoterClass, on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey("cycles.Reporter", on_delete=models.PROTECT, related_name="+")
    entry = models.PositiveSmallIntegerField(_("录入轮次"), choices=[(1, _("第一遍")), (2, _("第二遍"))])
    good = models.PositiveIntegerField(_("好"), default=0)
    fairly_good = models.PositiveIntegerField(_("较好"), default=0)
    average = models.PositiveIntegerField(_("一般"), default=0)
    poor = models.PositiveIntegerField(_("差"), default=0)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["meeting", "voter_class", "reporter", "entry"]
        verbose_name = _("纸质票统计")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "voter_class", "reporter", "entry"], name="paper_tally_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.voter_class_id}/{self.reporter_id}/{self.entry}"


class PaperCount(TimeStampedModel):
    """Paper ballots of a class: how many were issued, came back, were valid and invalid. Entered
    twice, by two people, like the tallies; the two entries must agree."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="paper_counts")
    voter_class = models.ForeignKey(VoterClass, on_delete=models.CASCADE, related_name="paper_counts")
    entry = models.PositiveSmallIntegerField(
        _("录入轮次"), choices=[(1, _("第一遍")), (2, _("第二遍"))], default=1
    )
    issued = models.PositiveIntegerField(_("发出"))
    returned = models.PositiveIntegerField(_("收回"))
    valid = models.PositiveIntegerField(_("有效"))
    invalid = models.PositiveIntegerField(_("无效"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["meeting", "voter_class", "entry"]
        verbose_name = _("纸质票数")
        constraints = [
            models.UniqueConstraint(fields=["voter_class", "entry"], name="paper_count_entry"),
            models.CheckConstraint(
                condition=models.Q(returned__lte=models.F("issued")), name="paper_returned_le_issued"
            ),
            models.CheckConstraint(
                condition=models.Q(valid=models.F("returned") - models.F("invalid")), name="paper_valid_sum"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter_class_id}: {self.valid}/{self.issued}"


class Scrutineer(TimeStampedModel):
    """A 监票人, named for the meeting, who signs off the count by their own act: from their own
    account (`user`), or with a one-time sign-off code handed to them (kept as its keyed hash,
    cleared when used). What they signed is the count sheet's digest at that moment."""

    class Via(models.TextChoices):
        ACCOUNT = "account", _("本人账号")  # signed while logged in as `user`
        CODE = "code", _("一次性签字码")  # signed with the code handed to them

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="scrutineers")
    name = models.CharField(_("姓名"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("监票人账号"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="scrutinies",
    )  # fmt: skip
    code_hash = models.BinaryField(max_length=32, null=True, blank=True, editable=False)
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_via = models.CharField(_("签字方式"), max_length=8, choices=Via.choices, blank=True)
    signed_digest = models.CharField(_("所签计票单摘要"), max_length=64, blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("监票人")

    def __str__(self) -> str:
        return self.name


class TallyRow(models.Model):
    """The count for one reporter and one class, phone and paper together, made at closing."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="tally")
    reporter = models.ForeignKey("cycles.Reporter", on_delete=models.PROTECT, related_name="tally_rows")
    voter_class = models.ForeignKey(VoterClass, on_delete=models.PROTECT, related_name="+")
    good = models.PositiveIntegerField(default=0)
    fairly_good = models.PositiveIntegerField(default=0)
    average = models.PositiveIntegerField(default=0)
    poor = models.PositiveIntegerField(default=0)
    phone = models.PositiveIntegerField(_("手机票"), default=0)
    paper = models.PositiveIntegerField(_("纸质票"), default=0)

    class Meta:
        ordering = ["meeting", "reporter", "voter_class"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "reporter", "voter_class"], name="tally_row_unique")
        ]

    def __str__(self) -> str:
        return f"{self.reporter_id}/{self.voter_class_id}"

    @property
    def total(self) -> int:
        return self.good + self.fairly_good + self.average + self.poor


class Comment(TimeStampedModel):
    """点评: a committee member's comment on a reporter (by portfolio), or the presiding
    secretary's overall comment on the whole meeting (is_final, no reporter: it is nobody's
    rectification item). Recorded under the member who made it (`author`) even when a clerk typed
    it (`entered_by`); none can be added once the count is confirmed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="comments")
    reporter = models.ForeignKey(
        "cycles.Reporter", null=True, blank=True, on_delete=models.PROTECT, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # who typed it, when not the author (a clerk of the organisation department)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    portfolio = models.CharField(_("分管领域"), max_length=50, blank=True)
    text = models.TextField(_("点评意见"), max_length=3000)
    is_final = models.BooleanField(_("主持人总体点评"), default=False)

    class Meta:
        ordering = ["meeting", "reporter", "is_final", "created_at"]
        verbose_name = _("点评")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(is_final=True),
                name="comment_one_final_per_meeting",
                violation_error_message=_("本次会议已有主持人总体点评。"),
            ),
            models.CheckConstraint(
                condition=models.Q(is_final=True, reporter__isnull=True)
                | models.Q(is_final=False, reporter__isnull=False),
                name="comment_final_is_the_meetings",
                violation_error_message=_("总体点评属于整个会议；其他点评须针对一位述职人。"),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]
