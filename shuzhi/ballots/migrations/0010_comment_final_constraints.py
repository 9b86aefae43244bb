"""One overall comment per meeting, and it is the meeting's (no reporter); every other comment
is on one reporter."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ballots", "0009_comment_final_to_the_meeting")]

    operations = [
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_final", True)),
                fields=("meeting",),
                name="comment_one_final_per_meeting",
                violation_error_message="本次会议已有主持人总体点评。",
            ),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("is_final", True), ("reporter__isnull", True)),
                    models.Q(("is_final", False), ("reporter__isnull", False)),
                    _connector="OR",
                ),
                name="comment_final_is_the_meetings",
                violation_error_message="总体点评属于整个会议；其他点评须针对一位述职人。",
            ),
        ),
    ]
