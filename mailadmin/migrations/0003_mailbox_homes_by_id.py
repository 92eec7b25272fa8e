"""Mail stores named by the mailbox's id, not its address, so a new mailbox never inherits a deleted one's mail.

Existing mailboxes keep the store they have ("<domain>/<local part>"); new ones get "by-id/<id>" (no domain
name lacks a dot, so the two can never meet). The view roost_mail_users gains a last column, home, relative
to the vmail directory; its other columns stay as they were, so a Dovecot still configured from the old
template (which builds the home from domain and local_part) keeps working until it is configured again.
"""

import importlib

from django.db import migrations, models

FILL_LEGACY_HOMES = """
UPDATE mailadmin_mailbox m SET home = d.name || '/' || m.local_part
  FROM mailadmin_domain d WHERE d.id = m.domain_id AND m.home = '';
"""

USERS_WITH_HOME = """
CREATE OR REPLACE VIEW roost_mail_users AS
    SELECT m.address AS "user", m.local_part, d.name AS domain,
           '{BLF-CRYPT}' || substr(u.password, 8) AS password,
           m.quota_mb,
           COALESCE(NULLIF(m.home, ''), 'by-id/' || m.id) AS home
      FROM mailadmin_mailbox m
      JOIN mailadmin_domain d ON d.id = m.domain_id
      JOIN accounts_user u ON u.id = m.user_id
     WHERE m.active AND d.active AND u.is_active AND u.password LIKE 'bcrypt$%';
"""

_views = importlib.import_module("mailadmin.migrations.0002_mail_server_views")
# A view cannot lose a column in place: going back drops the views and makes them as 0002 did.
USERS_WITHOUT_HOME = _views.DROP + _views.CREATE


class Migration(migrations.Migration):
    dependencies = [
        ("mailadmin", "0002_mail_server_views"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArchivedMailbox",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("address", models.CharField(max_length=254)),
                ("home", models.CharField(max_length=255)),
                ("deleted", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name_plural": "archived mailboxes",
                "ordering": ["-deleted"],
            },
        ),
        migrations.AddField(
            model_name="mailbox",
            name="home",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=255),
        ),
        migrations.RunSQL(FILL_LEGACY_HOMES, migrations.RunSQL.noop),
        migrations.RunSQL(USERS_WITH_HOME, USERS_WITHOUT_HOME),
        migrations.RunPython(_views.grant_to_mail_role, migrations.RunPython.noop),
    ]
