"""A published county cycle whose township reported two problems and got a 点评: the ground for
rectification tests."""

from shuzhi.ballots.services import comment_add
from shuzhi.reports.models import Report, ReportItem
from shuzhi.scoring.services import assessment_compute, assessment_publish
from shuzhi.testing.meetings import tallied_cycle

PROBLEMS = ("村级后备干部储备不足", "党员教育管理方式单一")


def published_cycle(cast):
    def comment(meeting):  # 点评 are made before the count is confirmed, which locks them
        comment_add(
            actor=cast.county_organiser,
            meeting=meeting,
            reporter=meeting.cycle.reporters.get(organization=cast.township_a),
            text="软弱涣散村整顿进度偏慢",
        )

    cycle, _meeting = tallied_cycle(cast, before_tally=comment)
    report = Report.objects.get(reporter__cycle=cycle, reporter__organization=cast.township_a)
    for position, text in enumerate(PROBLEMS, start=1):
        ReportItem.objects.create(
            report=report, kind=ReportItem.Kind.PROBLEM, text=text, severity="moderate", position=position
        )
    assessment_compute(actor=cast.county_organiser, cycle=cycle)
    assessment_publish(actor=cast.county_organiser, cycle=cycle, objection_days=0)
    cycle.refresh_from_db()
    return cycle
