from django.db import migrations, models


class Migration(migrations.Migration):
    """The code in clear goes; its hash is required and unique."""

    dependencies = [("lifecycle", "0010_sitting_code_hash_fill")]

    operations = [
        migrations.RemoveField(model_name="sitting", name="code"),
        migrations.AlterField(
            model_name="sitting",
            name="code_hash",
            field=models.BinaryField(max_length=32, unique=True),
        ),
    ]
