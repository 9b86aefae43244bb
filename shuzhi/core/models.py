from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.core.audit_actions import action_label
from shuzhi.core.rules import ChainEntry


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("审计日志只能追加，不能修改。"), code="append_only")

    def delete(self):
        raise ValidationError(_("审计日志只能追加，不能删除。"), code="append_only")


class AuditEvent(models.Model):
    """One change that matters: who, when, what, before and after; linked into a hash chain.

    Append-only: the model and queryset refuse updates and deletes, a database trigger refuses
    UPDATE, and `manage.py verify_audit` detects any row changed or removed behind their back.
    There is no updated_at because a row never changes.
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    org_path = models.CharField(_("组织范围"), max_length=255, blank=True, db_index=True)
    ip = models.CharField(_("来源地址"), max_length=45, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("审计日志只能追加，不能修改。"), code="append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("审计日志只能追加，不能删除。"), code="append_only")

    @property
    def action_label(self) -> str:
        """The action's Chinese name (the code stays in the chain)."""
        return action_label(self.action)

    @property
    def target_label(self) -> str:
        """What kind of thing the target is, in Chinese (the model's verbose name)."""
        if not self.target_type:
            return ""
        try:
            return str(apps.get_model(self.target_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return ""

    def as_chain_entry(self) -> ChainEntry:
        return ChainEntry(
            seq=self.seq,
            created_at=self.created_at,
            actor_id=self.actor_id,
            actor_name=self.actor_name,
            action=self.action,
            target_type=self.target_type,
            target_id=self.target_id,
            target_repr=self.target_repr,
            org_path=self.org_path,
            ip=self.ip,
            changes=self.changes,
            prev_hash=self.prev_hash,
            hash=self.hash,
        )


class AuditChainHead(models.Model):
    """The last link of the chain. Appends lock this row, so the chain never forks."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class Notification(TimeStampedModel):
    """An in-app message to one user: a reminder, a returned report, a result."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    text = models.CharField(_("内容"), max_length=300)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.text
