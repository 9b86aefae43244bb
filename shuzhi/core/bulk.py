"""Many new rows at once.

Django's bulk_create on PostgreSQL sends each column as one array (INSERT … SELECT * FROM
UNNEST(…)); with the client-side binding the project uses, psycopg writes those arrays out as
text and quotes every string in them, which for 10,000 rows of labels and JSON evidence took
seconds. COPY sends the rows as they are.
"""

from collections.abc import Sequence

from django.db import connection, models


def insert_all(objects: Sequence[models.Model], *, batch_size: int = 2000) -> None:
    """Insert new rows of one model: COPY on PostgreSQL, bulk_create elsewhere. The objects'
    primary keys are not set (read them back if needed); auto_now fields are filled as by save()."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=batch_size)
        return
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields])
