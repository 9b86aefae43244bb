from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from shuzhi.core.errors import field_error
from shuzhi.core.models import TimeStampedModel
from shuzhi.orgs import rules

code_validator = RegexValidator(
    rules.CODE_PATTERN, _("组织编码只能包含字母、数字、下划线和连字符。"), code="bad_code"
)


class Organization(MP_Node, TimeStampedModel):
    """A party organisation in the tree (materialized path: `path`, indexed for prefix search)."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        WORKING_COMMITTEE = "working_committee", _("党工委")
        LEADING_GROUP = "leading_group", _("党组")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = rules.BRANCH, _("党支部")

    class Level(models.TextChoices):
        PROVINCE = rules.PROVINCE, _("省")
        CITY = rules.CITY, _("市")
        COUNTY = rules.COUNTY, _("县区")
        TOWNSHIP = rules.TOWNSHIP, _("乡镇街道")
        VILLAGE = rules.VILLAGE, _("村社区")
        INSTITUTION = rules.INSTITUTION, _("机关企事业单位")

    class Field(models.TextChoices):
        RURAL = "rural", _("农村")
        COMMUNITY = "community", _("社区")
        AGENCY = "agency", _("机关")
        PUBLIC_INSTITUTION = "public_institution", _("事业单位")
        STATE_ENTERPRISE = "state_enterprise", _("国企")
        PRIVATE_ENTERPRISE = "private_enterprise", _("非公企业")
        SOCIAL_ORGANIZATION = "social_organization", _("社会组织")
        SCHOOL = "school", _("学校")
        HOSPITAL = "hospital", _("医院")
        OTHER = "other", _("其他")

    name = models.CharField(_("组织名称"), max_length=100)
    code = models.CharField(_("组织编码"), max_length=32, unique=True, validators=[code_validator])
    kind = models.CharField(_("组织类别"), max_length=24, choices=Kind.choices)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    field = models.CharField(_("领域"), max_length=24, choices=Field.choices)
    secretary = models.ForeignKey(
        "members.Member",
        verbose_name=_("书记"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    secretary_since = models.DateField(_("书记任职日期"), null=True, blank=True)
    # Counter cache of members whose organisation is this one (not the subtree), kept by the
    # member services; subtree totals are sums over the subtree's rows of this column.
    member_count = models.PositiveIntegerField(_("直属党员数"), default=0)
    probationary_count = models.PositiveIntegerField(_("直属预备党员数"), default=0)
    # The same for the whole subtree (this organisation included), kept by
    # orgs.services.organization_totals_refresh so that pages never sum a city's rows.
    total_members = models.PositiveIntegerField(_("党员总数"), default=0)
    total_probationary = models.PositiveIntegerField(_("预备党员总数"), default=0)
    total_organizations = models.PositiveIntegerField(_("党组织总数"), default=1)

    node_order_by: list[str] = []

    class Meta:
        ordering = ["path"]
        verbose_name = _("党组织")
        indexes = [
            # one level of the tree, in order: a node's children page
            models.Index(fields=["depth", "path"], name="org_level_order"),
        ]
        # No index holds a counter: changing a count (every member added, moved or gone, and
        # each organisation of a whole roster's import at once) then rewrites the row in its
        # page without touching the seven indexes, on PostgreSQL, whose pages are kept half
        # empty for that (fillfactor, migration 0004).
        verbose_name_plural = _("党组织")

    def __str__(self) -> str:
        return self.name

    def validate_placement(self, parent: "Organization | None") -> None:
        """Refuse a place in the tree that the level and kind rules do not allow."""
        if parent is None:
            return
        if not rules.kind_may_have_children(parent.kind):
            raise field_error(
                "parent",
                _("“%(parent)s”是党支部，下面不能再设党组织。") % {"parent": parent.name},
                "branch_has_no_children",
            )
        if not rules.level_may_contain(parent.level, self.level):
            raise field_error(
                "level",
                _("“%(parent)s”（%(parent_level)s）下不能设%(level)s层级的党组织。")
                % {
                    "parent": parent.name,
                    "parent_level": parent.get_level_display(),
                    "level": self.get_level_display(),
                },
                "level_not_allowed",
            )

    def is_within(self, root: "Organization") -> bool:
        return self.path.startswith(root.path)

    @property
    def total_full(self) -> int:
        return self.total_members - self.total_probationary
