"""The SQL views that Dovecot (passdb, userdb) and Postfix (pgsql: maps) read live.

Only active mailboxes in active domains appear, so deactivating one takes effect at once.
The password column turns Django's "bcrypt$<hash>" into Dovecot's "{BLF-CRYPT}<hash>".
"""

from django.conf import settings
from django.db import migrations

VIEWS = ["roost_mail_domains", "roost_mail_users", "roost_mail_aliases", "roost_mail_sender_logins"]

CREATE = """
CREATE VIEW roost_mail_domains AS
    SELECT d.name FROM mailadmin_domain d WHERE d.active;

CREATE VIEW roost_mail_users AS
    SELECT m.address AS "user", m.local_part, d.name AS domain,
           '{BLF-CRYPT}' || substr(u.password, 8) AS password,
           m.quota_mb
      FROM mailadmin_mailbox m
      JOIN mailadmin_domain d ON d.id = m.domain_id
      JOIN accounts_user u ON u.id = m.user_id
     WHERE m.active AND d.active AND u.is_active AND u.password LIKE 'bcrypt$%';

-- Every active mailbox maps to itself, so a domain's catch-all never swallows its mailboxes.
CREATE VIEW roost_mail_aliases AS
    SELECT a.address, unnest(a.destinations) AS destination
      FROM mailadmin_alias a JOIN mailadmin_domain d ON d.id = a.domain_id
     WHERE a.active AND d.active
    UNION ALL
    SELECT "user", "user" FROM roost_mail_users;

-- Which logins may use an address as sender: a mailbox its own, an alias the mailboxes it delivers to.
CREATE VIEW roost_mail_sender_logins AS
    SELECT "user" AS address, "user" AS login FROM roost_mail_users
    UNION
    SELECT a.address, u."user"
      FROM mailadmin_alias a
      JOIN mailadmin_domain d ON d.id = a.domain_id
      JOIN roost_mail_users u ON u."user" = ANY (a.destinations)
     WHERE a.active AND d.active AND a.local_part <> '';
"""

DROP = "DROP VIEW IF EXISTS " + ", ".join(reversed(VIEWS)) + ";"


def grant_to_mail_role(apps, schema_editor):  # type: ignore[no-untyped-def]
    role = settings.ROOST_MAIL_DB_ROLE
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            return  # deploy/stack.py creates the role and grants again when it configures the servers
        quoted = schema_editor.quote_name(role)
        cursor.execute(f"GRANT SELECT ON {', '.join(VIEWS)} TO {quoted}")


class Migration(migrations.Migration):
    dependencies = [("mailadmin", "0001_initial"), ("accounts", "0001_initial")]

    operations = [
        migrations.RunSQL(CREATE, DROP),
        migrations.RunPython(grant_to_mail_role, migrations.RunPython.noop),
    ]
