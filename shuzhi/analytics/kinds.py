"""The document kinds of the areas below analytics: reports, 点评 and rectification items, and
the template texts organisers upload. Registered in `AnalyticsConfig.ready()`."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.analytics.registry import Kind, Source, register
from shuzhi.ballots.models import Comment
from shuzhi.core.roles import Capability
from shuzhi.cycles.selectors import cycles_visible_to
from shuzhi.rectification.models import Item
from shuzhi.rectification.selectors import items_visible_to
from shuzhi.reports.documents import SECTIONS
from shuzhi.reports.models import Report, ReportItem
from shuzhi.reports.selectors import reports_visible_to

# Attachments usually repeat the sections; their text counts only for a report written there alone.
ATTACHMENT_ONLY_BELOW = 200


def report_text(report: Report) -> str:
    """A report as one text: the sections in order under their headings, then the problem list."""
    parts = []
    for key, heading in SECTIONS:
        body = (report.sections or {}).get(key, "").strip()
        if body:
            parts.append(f"【{heading}】\n{body}")
    problems = [item.text for item in report.items.all() if item.kind == ReportItem.Kind.PROBLEM]
    if problems:
        parts.append(
            "【" + _("问题清单") + "】\n" + "\n".join(f"{n}. {text}" for n, text in enumerate(problems, 1))
        )
    text = "\n\n".join(parts)
    if len(text) < ATTACHMENT_ONLY_BELOW:
        attached = "\n\n".join(a.text for a in report.attachments.all() if a.text.strip())
        text = "\n\n".join(part for part in (text, attached) if part)
    return text


def _report_source(report: Report) -> Source:
    reporter = report.reporter
    return Source(
        object_id=report.pk,
        title=_("%(unit)s %(year)s年度述职报告")
        % {"unit": reporter.organization.name, "year": reporter.cycle.year},
        text=report_text(report),
        organization_id=reporter.organization_id,
        org_path=reporter.organization.path,
        year=reporter.cycle.year,
        updated_at=report.updated_at,
    )


def _comment_source(comment: Comment) -> Source:
    reporter = comment.reporter
    if reporter is None:  # the presiding secretary's overall comment on the meeting
        cycle = comment.meeting.cycle
        return Source(
            object_id=comment.pk,
            title=_("%(meeting)s主持人总体点评") % {"meeting": comment.meeting.title},
            text=comment.text,
            organization_id=cycle.organization_id,
            org_path=cycle.org_path,
            year=cycle.year,
            updated_at=comment.updated_at,
        )
    return Source(
        object_id=comment.pk,
        title=_("对%(unit)s的点评") % {"unit": reporter.organization.name},
        text=comment.text,
        organization_id=reporter.organization_id,
        org_path=reporter.organization.path,
        year=reporter.cycle.year,
        updated_at=comment.updated_at,
    )


def _comments_visible(user):
    if not (user.can(Capability.COMMENT) or user.can(Capability.MANAGE_CYCLES)):
        return Comment.objects.none()
    return Comment.objects.filter(meeting__cycle__in=cycles_visible_to(user))


def _item_source(item: Item) -> Source:
    return Source(
        object_id=item.pk,
        title=item.title[:300],
        text="\n".join(part for part in (item.title, item.measures) if part),
        organization_id=item.organization_id,
        org_path=item.org_path,
        year=item.cycle.year,
        updated_at=item.updated_at,
    )


def _items_visible(user):
    if not (user.can(Capability.VIEW_RECTIFICATION) or user.can(Capability.WORK_RECTIFICATION)):
        return Item.objects.none()
    return items_visible_to(user)


def _reports_visible(user):
    if not (user.can(Capability.VIEW_CYCLES) or user.can(Capability.WRITE_REPORT)):
        return Report.objects.none()
    return reports_visible_to(user)


def _template_source(template) -> Source:
    return Source(
        object_id=template.pk,
        title=template.title,
        text=template.text,
        organization_id=template.organization_id,
        org_path=template.org_path,
        year=None,
        updated_at=template.updated_at,
    )


def _templates_visible(user):
    from shuzhi.analytics.selectors import templates_visible_to

    return templates_visible_to(user)


def register_kinds() -> None:
    from shuzhi.analytics.models import TemplateText

    register(
        Kind(
            key="report",
            label=gettext_lazy("述职报告"),
            objects=lambda: Report.objects.select_related(
                "reporter__cycle", "reporter__organization"
            ).prefetch_related("items", "attachments"),
            source=_report_source,
            visible=_reports_visible,
            urls=lambda pks: {pk: reverse("reports:detail", args=[pk]) for pk in pks},
            copies=True,
        )
    )
    register(
        Kind(
            key="comment",
            label=gettext_lazy("点评"),
            objects=lambda: Comment.objects.select_related(
                "reporter__cycle", "reporter__organization", "meeting__cycle"
            ),
            source=_comment_source,
            visible=_comments_visible,
            urls=lambda pks: {
                pk: reverse("ballots:comments", args=[meeting])
                for pk, meeting in Comment.objects.filter(pk__in=pks).values_list("pk", "meeting_id")
            },
        )
    )
    register(
        Kind(
            key="rectification",
            label=gettext_lazy("整改事项"),
            objects=lambda: Item.objects.select_related("cycle"),
            source=_item_source,
            visible=_items_visible,
            urls=lambda pks: {pk: reverse("rectification:item", args=[pk]) for pk in pks},
        )
    )
    register(
        Kind(
            key="template",
            label=gettext_lazy("范文"),
            objects=lambda: TemplateText.objects.all(),
            source=_template_source,
            visible=_templates_visible,
            urls=lambda pks: {pk: reverse("analytics:template", args=[pk]) for pk in pks},
            copies=True,
        )
    )
