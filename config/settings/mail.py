"""How Roost meets its mail servers: managed (it owns Dovecot's and Postfix's directory) or external."""

from core.env import env_choice, env_int, env_list, env_str

ROOST_MAIL_MODE = env_choice("ROOST_MAIL_MODE", "managed", ("managed", "external"))

ROOST_IMAP_HOST = env_str("ROOST_IMAP_HOST", "127.0.0.1")
ROOST_IMAP_PORT = env_int("ROOST_IMAP_PORT", 143)
ROOST_IMAP_SECURITY = env_choice("ROOST_IMAP_SECURITY", "none", ("none", "starttls", "ssl"))
ROOST_IMAP_TIMEOUT = env_int("ROOST_IMAP_TIMEOUT", 15)

ROOST_SMTP_HOST = env_str("ROOST_SMTP_HOST", "127.0.0.1")
ROOST_SMTP_PORT = env_int("ROOST_SMTP_PORT", 587)
ROOST_SMTP_SECURITY = env_choice("ROOST_SMTP_SECURITY", "none", ("none", "starttls", "ssl"))
# Seconds one SMTP step may take (connecting, each command, the reply to the final dot).
ROOST_SMTP_TIMEOUT = env_int("ROOST_SMTP_TIMEOUT", 20)

# Managed mode: Roost's processes open a user's mailbox as "<address>*<master user>".
ROOST_DOVECOT_MASTER_USER = env_str("ROOST_DOVECOT_MASTER_USER", "roost")
ROOST_DOVECOT_MASTER_PASSWORD = env_str("ROOST_DOVECOT_MASTER_PASSWORD", "")

# The database roles that read the directory views (SELECT only): Dovecot's, which sees password hashes,
# and Postfix's, which does not.
ROOST_MAIL_DB_ROLE = env_str("ROOST_MAIL_DB_ROLE", "roost_mail")
ROOST_POSTFIX_DB_ROLE = env_str("ROOST_POSTFIX_DB_ROLE", "roost_postfix")

# Port 25 of the managed Postfix (incoming mail); the demo seeding delivers through it.
ROOST_SMTP_INCOMING_PORT = env_int("ROOST_SMTP_INCOMING_PORT", 25)

# Networks whose images the remote-content proxy may fetch although they are not public
# (an intranet image server, say). Empty by default: loopback, private and link-local are refused.
ROOST_REMOTE_ALLOW_NETWORKS = env_list("ROOST_REMOTE_ALLOW_NETWORKS", [])

# Sending: the undo window, the attachment limit, and how long a worker holds a message it submits:
# what one submission can take, connecting plus waiting for the reply to the final dot, and a margin.
ROOST_UNDO_SEND_SECONDS = env_int("ROOST_UNDO_SEND_SECONDS", 10)
ROOST_ATTACHMENT_MAX_BYTES = env_int("ROOST_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)
ROOST_OUTBOX_LEASE_SECONDS = env_int("ROOST_OUTBOX_LEASE_SECONDS", 2 * ROOST_SMTP_TIMEOUT + 5)

# Managed mode: the managed Postfix's log, where the sweeper looks up a message whose reply to the
# final dot was lost (webmail/smtp/maillog.py). deploy/stack.py writes it under ROOST_STACK_LOG_DIR.
# Empty: never looked up, such a message stays "uncertain" for the user to decide.
_STACK_LOG_DIR = env_str("ROOST_STACK_LOG_DIR", "")
ROOST_POSTFIX_LOG = env_str("ROOST_POSTFIX_LOG", f"{_STACK_LOG_DIR}/postfix.log" if _STACK_LOG_DIR else "")
# The most distinct recipients (To, Cc and Bcc together) one message may have.
ROOST_MAX_RECIPIENTS = env_int("ROOST_MAX_RECIPIENTS", 500)
# A filed message's copy is in Sent; the outbox row keeps its stored message only this long after filing.
ROOST_OUTBOX_RETENTION_DAYS = env_int("ROOST_OUTBOX_RETENTION_DAYS", 30)
