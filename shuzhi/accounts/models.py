from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.core.models import TimeStampedModel
from shuzhi.core.roles import ADMIN_ROLES, Capability, Role, capabilities_of


class UserManager(DjangoUserManager):
    def get_queryset(self):
        # every request reads the user's organisation for scoping: fetch it with the user
        return super().get_queryset().select_related("organization")


class User(AbstractUser, TimeStampedModel):
    """An account. It belongs to one organisation and holds exactly one role.

    Superuser and staff flags are never set: Django's admin would bypass the subtree scoping
    and the audit trail, so it is not mounted.
    """

    full_name = models.CharField(_("姓名"), max_length=50)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("所属组织"), on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("对应党员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
        error_messages={"unique": _("该党员已关联了另一个账号。")},
    )
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    # a one-time password (new account, reset) stops working at this time if not changed by then
    password_expires_at = models.DateTimeField(_("初始密码失效时间"), null=True, blank=True)
    # counter cache of unread notifications, kept by core.services: the menu shows it with no query
    unread_notifications = models.PositiveIntegerField(_("未读通知"), default=0)

    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_known"),
            models.CheckConstraint(
                condition=models.Q(is_superuser=False, is_staff=False), name="user_no_django_admin"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username

    @property
    def is_unclaimed(self) -> bool:
        """Nobody holds this account yet: it has no password (a unit without an account), or only
        a one-time one that was never used to sign in."""
        return self.last_login is None and (not self.has_usable_password() or self.must_change_password)

    @property
    def one_time_password_expired(self) -> bool:
        return (
            self.must_change_password
            and self.password_expires_at is not None
            and self.password_expires_at <= timezone.now()
        )

    @property
    def capabilities(self) -> frozenset[Capability]:
        if not self.is_active:
            return frozenset()
        return capabilities_of(self.role)

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    @property
    def is_admin_role(self) -> bool:
        return self.role in ADMIN_ROLES

    def can_be_managed_by(self, manager: "User") -> bool:
        """The system administrator manages ordinary accounts in their subtree, never an
        administrator's (those are created with `manage.py create_admin`) and never their own."""
        return (
            manager.can(Capability.MANAGE_USERS)
            and manager.pk != self.pk
            and not self.is_admin_role
            and self.organization.path.startswith(manager.organization.path)
        )


class SecurityPolicy(TimeStampedModel):
    """The security administrator's settings. One row; the defaults are the 等保 baseline."""

    password_min_length = models.PositiveSmallIntegerField(
        _("密码最短长度"), default=8, validators=[MinValueValidator(8), MaxValueValidator(64)]
    )
    lockout_threshold = models.PositiveSmallIntegerField(
        _("连续失败锁定次数"), default=5, validators=[MinValueValidator(3), MaxValueValidator(10)]
    )
    lockout_minutes = models.PositiveSmallIntegerField(
        _("锁定时长（分钟）"), default=30, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    session_idle_minutes = models.PositiveSmallIntegerField(
        _("空闲超时（分钟）"), default=30, validators=[MinValueValidator(5), MaxValueValidator(120)]
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")

    def __str__(self) -> str:
        return str(_("安全策略"))
