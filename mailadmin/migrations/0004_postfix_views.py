"""Views for Postfix that hold no password hash, for a database role of its own (ROOST_POSTFIX_DB_ROLE).

Dovecot's role keeps reading roost_mail_users (it checks passwords); Postfix's role may read only these and
the alias, domain and sender-login views, none of which has a password column. A view is read with its
owner's rights, so granting it does not open the tables or roost_mail_users underneath.
"""

from django.conf import settings
from django.db import migrations

POSTFIX_VIEWS = ["roost_mail_domains", "roost_mail_mailboxes", "roost_mail_aliases", "roost_mail_sender_logins"]

CREATE = """
CREATE VIEW roost_mail_mailboxes AS SELECT "user" AS address FROM roost_mail_users;
"""
DROP = "DROP VIEW IF EXISTS roost_mail_mailboxes;"


def grant_to_postfix_role(apps, schema_editor):  # type: ignore[no-untyped-def]
    role = settings.ROOST_POSTFIX_DB_ROLE
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            return  # deploy/stack.py creates the role and grants again when it configures Postfix
        cursor.execute(f"GRANT SELECT ON {', '.join(POSTFIX_VIEWS)} TO {schema_editor.quote_name(role)}")


class Migration(migrations.Migration):
    dependencies = [("mailadmin", "0003_mailbox_homes_by_id")]

    operations = [
        migrations.RunSQL(CREATE, DROP),
        migrations.RunPython(grant_to_postfix_role, migrations.RunPython.noop),
    ]
