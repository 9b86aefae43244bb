from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.core.models import TimeStampedModel


class Document(TimeStampedModel):
    """A text as indexed: for search (every registered kind) and, for reports and template texts,
    for copied passages. One row per object of a kind (`registry.Kind`)."""

    kind = models.CharField(_("类型"), max_length=30)  # a registry key: report, comment, rectification…
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    title = models.CharField(_("标题"), max_length=300)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    org_path = models.CharField(max_length=255, blank=True)  # the unit's path, for scoping copy sources
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    text = models.TextField(_("原文"))  # as written: findings and snippets are shown on it
    tokens = models.TextField(_("分词"))  # normalised, jieba-segmented, for full-text search
    comparable = models.TextField(_("比对文本"), blank=True)  # see normalise.Normalised.comparable
    prints = models.BinaryField(_("指纹"), default=bytes)  # packed (hash, position) pairs
    copies = models.BooleanField(_("参与雷同比对"), default=False)
    source_updated_at = models.DateTimeField(_("对象更新时间"), null=True, blank=True)
    copied_share = models.FloatField(_("雷同比例"), null=True, blank=True)  # None until checked
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "object_id"]
        verbose_name = _("索引文本")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="analytics_document_unique")
        ]
        indexes = [models.Index(fields=["org_path", "year"], name="analytics_document_scope")]

    def __str__(self) -> str:
        return self.title


class Fingerprint(models.Model):
    """One winnowed fingerprint of a document taking part in copy detection: the inverted index
    that finds the candidate sources of a new report among all others."""

    hash = models.IntegerField()  # crc32 shifted into a signed 32-bit integer
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["hash", "document"], name="analytics_fingerprint_hash")]

    def __str__(self) -> str:
        return f"{self.hash}@{self.document_id}"


class CopyFinding(TimeStampedModel):
    """A passage of a report found in another document (report or template text), in original
    character offsets of both, end exclusive."""

    document = models.ForeignKey(
        Document, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="findings"
    )
    source = models.ForeignKey(Document, verbose_name=_("来源"), on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    source_start = models.PositiveIntegerField()
    source_end = models.PositiveIntegerField()
    length = models.PositiveIntegerField(_("雷同字数"))  # characters of the passage that match
    closeness = models.FloatField(_("相似度"))

    class Meta:
        ordering = ["document_id", "start"]
        verbose_name = _("雷同段落")
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="copy_finding_span"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}[{self.start}:{self.end}] ← {self.source_id}"


class TemplateText(TimeStampedModel):
    """A template or public text the organiser uploads: reports in their subtree are checked
    against it (范文、网上流传的述职报告)."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("上传单位"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("标题"), max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)  # txt, docx, pdf
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    text = models.TextField(_("文字"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["org_path", "-created_at"]
        verbose_name = _("范文")
        constraints = [
            models.UniqueConstraint(fields=["organization", "sha256"], name="template_text_once_per_org")
        ]

    def __str__(self) -> str:
        return self.title


class CommonPrint(models.Model):
    """A fingerprint so widespread in the corpus that it is the genre's phrasing, not a copy's:
    left out when candidates are looked up (recomputed as the corpus grows)."""

    hash = models.IntegerField(primary_key=True)

    class Meta:
        verbose_name = _("常见指纹")

    def __str__(self) -> str:
        return str(self.hash)


class SharedPrint(models.Model):
    """A fingerprint in more than one document, with how many (counted with the common ones): the
    rarer a fingerprint two texts share, the more it says they share a passage, so candidate
    sources are scored and looked up by it (services.candidates)."""

    hash = models.IntegerField(primary_key=True)
    documents = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("共有指纹")

    def __str__(self) -> str:
        return f"{self.hash}×{self.documents}"


class CorpusState(models.Model):
    """How large the corpus was when the common fingerprints were last counted (one row)."""

    documents = models.PositiveIntegerField(default=0)
    counted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("比对库状态")

    def __str__(self) -> str:
        return f"{self.documents}"
