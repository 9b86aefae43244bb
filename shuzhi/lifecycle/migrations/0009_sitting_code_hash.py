from django.db import migrations, models


class Migration(migrations.Migration):
    """The test code's keyed hash beside the code (filled by 0010, the code dropped by 0011), and
    the day a worker was reminded that their qualification runs out."""

    dependencies = [("lifecycle", "0008_member_left_on_from_departures")]

    operations = [
        migrations.AddField(
            model_name="sitting",
            name="code_hash",
            field=models.BinaryField(max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="sitting",
            name="expiry_reminded_on",
            field=models.DateField(blank=True, null=True),
        ),
    ]
