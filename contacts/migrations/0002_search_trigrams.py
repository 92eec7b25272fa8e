"""Trigram indexes for contact and GAL search (LIKE '%q%' on search_text). pg_trgm is a trusted extension
since PostgreSQL 13, so the database owner may create it; where it cannot be created the indexes are left
out and search still works, only by scanning."""

from django.db import migrations

TABLES = ("contacts_contact", "contacts_galentry")


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute("SAVEPOINT roost_trgm")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute("RELEASE SAVEPOINT roost_trgm")
        except Exception:  # noqa: BLE001 - not allowed here: search scans instead
            cursor.execute("ROLLBACK TO SAVEPOINT roost_trgm")
            return
        for table in TABLES:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)"
            )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
