#!/usr/bin/env python3
"""Configure, start and stop one instance of Roost's mail stack (Dovecot + Postfix).

Two instances exist: "demo" (the standard ports, used by deploy/setup.sh) and "test"
(other ports and its own database, used by deploy/test.sh), so running the tests never
touches the demo. Standard library only: it runs before the virtual environment exists.

    python3 deploy/stack.py {render,start,stop,restart,status} [--instance demo|test]
"""

import argparse
import grp
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"

PROFILES: dict[str, dict[str, str]] = {
    "demo": {
        "name": "roost",
        "db_name": "roost",
        "imap_port": "143",
        "imap_basic_port": "0",  # off: only the test instance has the minimal-capability listener
        "smtp_port": "25",
        "submission_port": "587",
        "lmtp_port": "24",
        "auth_port": "12345",
        "sieve_port": "4190",
        "milter_port": "8893",
        "config_dir": "/etc/roost/stack",
        "run_dir": "/run/roost",
        "state_dir": "/var/lib/roost",
        "log_dir": "/var/log/roost",
        "vmail_dir": "/var/vmail",
        "postfix_queue_dir": "/var/spool/postfix-roost",
        "postfix_data_dir": "/var/lib/postfix-roost",
        "auth_failure_delay": "2 secs",
        "auth_penalty_mode": "0600",
    },
    "test": {
        "name": "roost-test",
        "db_name": "roost_test",
        "imap_port": "10143",
        "imap_basic_port": "10144",
        "smtp_port": "10025",
        "submission_port": "10587",
        "lmtp_port": "10024",
        "auth_port": "10012",
        "sieve_port": "14190",
        "milter_port": "18893",
        "config_dir": "/etc/roost-test/stack",
        "run_dir": "/run/roost-test",
        "state_dir": "/var/lib/roost-test",
        "log_dir": "/var/log/roost-test",
        "vmail_dir": "/var/lib/roost-test/vmail",
        "postfix_queue_dir": "/var/spool/postfix-roost-test",
        "postfix_data_dir": "/var/lib/postfix-roost-test",
        "auth_failure_delay": "0",
        "auth_penalty_mode": "0",
    },
}

VIEWS = ["roost_mail_domains", "roost_mail_users", "roost_mail_aliases", "roost_mail_sender_logins"]
# Postfix's role reads only views without a password column (migration mailadmin/0004).
POSTFIX_VIEWS = ["roost_mail_domains", "roost_mail_mailboxes", "roost_mail_aliases", "roost_mail_sender_logins"]
# Shared by both instances: a database role is the whole cluster's, so they must agree on its password.
POSTFIX_DB_PASSWORD_FILE = Path("/etc/roost/postfix-db-password")


class StackError(Exception):
    pass


def settings_for(instance: str) -> dict[str, str]:
    values = dict(PROFILES[instance])
    values.update(
        {
            # The minimal-capability IMAP listener sits on an address of its own: Dovecot 2.3 chooses
            # settings by local address (a "local" block), not by listener or port.
            "imap_basic_host": "127.0.0.2",
            "db_host": os.environ.get("ROOST_DB_HOST", "127.0.0.1"),
            "db_port": os.environ.get("ROOST_DB_PORT", "5432"),
            "mail_db_role": os.environ.get("ROOST_MAIL_DB_ROLE", "roost_mail"),
            "mail_db_password": os.environ.get("ROOST_MAIL_DB_PASSWORD", ""),
            "postfix_db_role": os.environ.get("ROOST_POSTFIX_DB_ROLE", "roost_postfix"),
            "master_nets": os.environ.get("ROOST_DOVECOT_MASTER_NETS", "127.0.0.1/32"),
            "hostname": os.environ.get("ROOST_MAIL_HOSTNAME", "mail.roost.test"),
            "master_user": os.environ.get("ROOST_DOVECOT_MASTER_USER", "roost"),
            "message_size_limit": os.environ.get("ROOST_MESSAGE_SIZE_LIMIT", str(50 * 1024 * 1024)),
            # "none": mail for other domains is refused (a closed demo); "direct": delivered over the Internet.
            "default_transport": "smtp"
            if os.environ.get("ROOST_OUTBOUND", "none") == "direct"
            else "error:this Roost delivers only to the domains it manages (set ROOST_OUTBOUND=direct)",
        }
    )
    # SMTP AUTH is offered only inside TLS once Postfix has a certificate; without one (the loopback-only
    # demo) there is no TLS to require.
    cert, key = os.environ.get("ROOST_MAIL_TLS_CERT", ""), os.environ.get("ROOST_MAIL_TLS_KEY", "")
    tls = bool(cert and key)
    values.update(
        {
            "tls_cert": cert if tls else "",
            "tls_key": key if tls else "",
            "smtpd_tls_level": "may" if tls else "none",
            "smtpd_tls_auth_only": "yes" if tls else "no",
        }
    )
    if instance == "demo" and "ROOST_DB_NAME" in os.environ:
        values["db_name"] = os.environ["ROOST_DB_NAME"]
    return values


def render(text: str, values: dict[str, str]) -> str:
    def lookup(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise StackError(f"template placeholder {{{{{key}}}}} has no value")
        return values[key]

    return re.sub(r"\{\{(\w+)\}\}", lookup, text)


def run(*cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        raise StackError(f"{' '.join(cmd)} failed:\n{result.stdout}{result.stderr}")
    return result


def psql(sql: str, db: str = "postgres") -> str:
    host = os.environ.get("ROOST_DB_HOST", "127.0.0.1")
    port = os.environ.get("ROOST_DB_PORT", "5432")
    user = os.environ.get("ROOST_DB_ADMIN_USER", "postgres")
    result = run("psql", "-h", host, "-p", port, "-U", user, "-d", db, "-tAc", sql, check=False)
    if result.returncode != 0:
        raise StackError(
            f"Postgres at {host}:{port} refused: {result.stderr.strip()}\n"
            "Is Postgres running? Start it (pg_ctlcluster <version> main start) and try again."
        )
    return result.stdout.strip()


def ensure_vmail_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("vmail")
    except KeyError:
        run("groupadd", "--system", "vmail", check=False)
        run(
            "useradd", "--system", "--gid", "vmail", "--home-dir", "/var/vmail", "--shell", "/usr/sbin/nologin", "vmail"
        )
        return pwd.getpwnam("vmail")


def postfix_db_password() -> str:
    password = os.environ.get("ROOST_POSTFIX_DB_PASSWORD", "")
    if password:
        return password
    if not POSTFIX_DB_PASSWORD_FILE.exists():
        POSTFIX_DB_PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
        POSTFIX_DB_PASSWORD_FILE.write_text(secrets.token_urlsafe(36))
        POSTFIX_DB_PASSWORD_FILE.chmod(0o600)
    return POSTFIX_DB_PASSWORD_FILE.read_text().strip()


def grant_views(role: str, views: list[str], db_name: str) -> None:
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{db_name}'") != "1":
        return
    have = psql(
        "SELECT count(*) FROM pg_views WHERE viewname IN (" + ", ".join(f"'{v}'" for v in views) + ")", db=db_name
    )
    if have == str(len(views)):  # else the migrations have not made them yet; they grant too
        psql(f'GRANT SELECT ON {", ".join(views)} TO "{role}"', db=db_name)


def ensure_mail_role(values: dict[str, str]) -> None:
    """The roles the servers read the directory views with: they can SELECT those views, nothing else.
    Dovecot's sees password hashes; Postfix's has its own role and views without them."""
    role = values["mail_db_role"]
    if psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'") != "1":
        psql(f'CREATE ROLE "{role}" LOGIN')
    grant_views(role, VIEWS, values["db_name"])
    postfix_role = values["postfix_db_role"]
    if psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{postfix_role}'") != "1":
        psql(f'CREATE ROLE "{postfix_role}" LOGIN')
    psql(f"ALTER ROLE \"{postfix_role}\" LOGIN PASSWORD '{values['postfix_db_password']}'")
    grant_views(postfix_role, POSTFIX_VIEWS, values["db_name"])


def master_password(values: dict[str, str], instance: str) -> str:
    """The demo takes it from the environment (deploy/setup.sh keeps it in /etc/roost/roost.env);
    the test instance makes its own and writes it next to its configuration."""
    if instance == "demo":
        password = os.environ.get("ROOST_DOVECOT_MASTER_PASSWORD", "")
        if not password:
            raise StackError(
                "ROOST_DOVECOT_MASTER_PASSWORD is not set (deploy/setup.sh writes it to /etc/roost/roost.env)."
            )
        return password
    secret_file = Path(values["config_dir"]) / "master-password"
    if not secret_file.exists():
        secret_file.parent.mkdir(parents=True, exist_ok=True)
        secret_file.write_text(secrets.token_urlsafe(24))
        secret_file.chmod(0o600)
    return secret_file.read_text().strip()


def do_render(instance: str) -> dict[str, str]:
    if shutil.which("dovecot") is None or shutil.which("postfix") is None:
        raise StackError("Dovecot or Postfix is not installed: run deploy/install-packages.sh first.")
    values = settings_for(instance)
    values["postfix_db_password"] = postfix_db_password()
    vmail = ensure_vmail_user()
    values["vmail_uid"], values["vmail_gid"] = str(vmail.pw_uid), str(vmail.pw_gid)
    config = Path(values["config_dir"])
    for sub in ("dovecot", "postfix"):
        (config / sub).mkdir(parents=True, exist_ok=True)
    for key in ("run_dir", "state_dir", "log_dir", "postfix_data_dir"):
        Path(values[key]).mkdir(parents=True, exist_ok=True)
    # Logs name people and what they did: readable by root and the group, never by every local account.
    log_dir = Path(values["log_dir"])
    log_dir.chmod(0o750)
    for name in ("dovecot.log", "postfix.log", "start.log", "milter.log"):
        (log_dir / name).touch()
        (log_dir / name).chmod(0o640)
    # The outbox sweeper (the Celery worker, run as ROOST_USER) reads Postfix's log to settle a send whose
    # reply was lost (webmail/smtp/maillog.py): that user's group may read the directory and that log only.
    try:
        reader = grp.getgrnam(os.environ.get("ROOST_USER", "roost")).gr_gid
    except KeyError:
        reader = None
    if reader is not None:
        os.chown(log_dir, 0, reader)
        os.chown(log_dir / "postfix.log", 0, reader)
    (Path(values["state_dir"]) / "dovecot").mkdir(exist_ok=True)
    Path(values["vmail_dir"]).mkdir(parents=True, exist_ok=True)
    os.chown(values["vmail_dir"], vmail.pw_uid, vmail.pw_gid)
    postfix_uid = pwd.getpwnam("postfix")
    os.chown(values["postfix_data_dir"], postfix_uid.pw_uid, postfix_uid.pw_gid)

    # Files that hold the database password are readable by root and the one server that needs them.
    readers = {"dovecot": grp.getgrnam("dovecot").gr_gid, "postfix": grp.getgrnam("postfix").gr_gid}
    for template in sorted(TEMPLATES.rglob("*")):
        if template.is_file():
            target = config / template.relative_to(TEMPLATES)
            target.write_text(render(template.read_text(), values))
            secret = re.search(r"\{\{\w+_db_password\}\}", template.read_text()) is not None
            target.chmod(0o640 if secret else 0o644)
            os.chown(target, 0, readers[template.parent.name] if secret else 0)

    password = master_password(values, instance)
    hashed = run("doveadm", "pw", "-s", "BLF-CRYPT", "-p", password).stdout.strip()
    master_file = config / "dovecot" / "master-users"
    # allow_nets: the master secret opens every mailbox, so it is good only from where Roost's processes run.
    master_file.write_text(f"{values['master_user']}:{hashed}::::::allow_nets={values['master_nets']}\n")
    master_file.chmod(0o640)
    os.chown(master_file, 0, grp.getgrnam("dovecot").gr_gid)  # read by Dovecot's auth process

    ensure_mail_role(values)
    env_file = config / "stack.env"
    env_file.write_text(
        "".join(
            f"{k}={v}\n"
            for k, v in {
                "ROOST_IMAP_PORT": values["imap_port"],
                "ROOST_SMTP_PORT": values["submission_port"],
                "ROOST_SMTP_INCOMING_PORT": values["smtp_port"],
                "ROOST_DOVECOT_MASTER_USER": values["master_user"],
                "ROOST_DOVECOT_MASTER_PASSWORD": password,
                "ROOST_STACK_CONFIG_DIR": values["config_dir"],
                "ROOST_STACK_VMAIL_DIR": values["vmail_dir"],
                "ROOST_STACK_LOG_DIR": values["log_dir"],
            }.items()
        )
        + (
            f"ROOST_TEST_IMAP_BASIC_HOST={values['imap_basic_host']}\n"
            f"ROOST_TEST_IMAP_BASIC_PORT={values['imap_basic_port']}\n"
            if values["imap_basic_port"] != "0"
            else ""
        )
    )
    env_file.chmod(0o600)
    return values


def start_daemon(*cmd: str, log_file: str) -> None:
    """Start a program that forks into the background; its output goes to its log, not to a pipe
    we would wait on forever."""
    with open(log_file, "a") as log:
        result = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    if result.returncode != 0:
        raise StackError(f"{' '.join(cmd)} failed; see {log_file}")


def port_open(port: str, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, int(port))) == 0


def dovecot_running(values: dict[str, str]) -> bool:
    pid_file = Path(values["run_dir"]) / "dovecot" / "master.pid"
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text().strip()), 0)
    except (ValueError, ProcessLookupError):
        return False
    return True


def postfix_running(values: dict[str, str]) -> bool:
    return run("postfix", "-c", f"{values['config_dir']}/postfix", "status", check=False).returncode == 0


def auth_ready(port: str) -> bool:
    """Dovecot's auth service greets with its mechanisms once it can answer. Postfix's submission
    service must not start before that: an smtpd that finds no SASL mechanism exits, and Postfix then
    throttles the whole service for a minute."""
    try:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=1) as sock:
            sock.sendall(f"VERSION\t1\t2\nCPID\t{os.getpid()}\n".encode())
            greeting = b""
            while b"DONE" not in greeting:
                chunk = sock.recv(4096)
                if not chunk:
                    return False
                greeting += chunk
            return b"MECH\tPLAIN" in greeting
    except OSError:
        return False


def wait_for(check: Callable[[], bool], what: str, values: dict[str, str], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise StackError(f"{what} did not come up; see {values['log_dir']}/dovecot.log and postfix.log")
        time.sleep(0.2)


def wait_for_ports(values: dict[str, str], seconds: float = 20.0) -> None:
    ports = [("127.0.0.1", values[k]) for k in ("imap_port", "lmtp_port", "auth_port", "smtp_port", "submission_port")]
    if values["imap_basic_port"] != "0":
        ports.append((values["imap_basic_host"], values["imap_basic_port"]))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        closed = [f"{h}:{p}" for h, p in ports if not port_open(p, h)]
        if not closed:
            return
        time.sleep(0.2)
    raise StackError(f"ports {', '.join(closed)} did not open; see {values['log_dir']}/dovecot.log and postfix.log")


def milter_pid(values: dict[str, str]) -> int | None:
    pid_file = Path(values["run_dir"]) / "milter.pid"
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def stop_milter(values: dict[str, str]) -> None:
    pid = milter_pid(values)
    if pid is None:
        return
    os.kill(pid, 15)
    deadline = time.monotonic() + 5
    while milter_pid(values) is not None and time.monotonic() < deadline:
        time.sleep(0.1)


def start_milter(values: dict[str, str]) -> None:
    """deploy/milter.py, started again each time so that a changed script takes effect. It needs nothing
    but its port, so it runs as nobody, with the system's Python (an interpreter under /root is not
    readable to nobody)."""
    stop_milter(values)
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    nobody = pwd.getpwnam("nobody")
    with open(f"{values['log_dir']}/milter.log", "a") as log:
        process = subprocess.Popen(
            [python, str(HERE / "milter.py"), "--port", values["milter_port"]],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            user=nobody.pw_uid,
            group=nobody.pw_gid,
            extra_groups=[],
        )
    (Path(values["run_dir"]) / "milter.pid").write_text(str(process.pid))
    wait_for(lambda: port_open(values["milter_port"]), "Roost's milter (deploy/milter.py)", values)


def do_start(instance: str) -> None:
    values = do_render(instance)
    start_milter(values)
    dovecot_conf = f"{values['config_dir']}/dovecot/dovecot.conf"
    postfix_dir = f"{values['config_dir']}/postfix"
    if dovecot_running(values):
        start_daemon("doveadm", "-c", dovecot_conf, "reload", log_file=f"{values['log_dir']}/start.log")
    else:
        start_daemon("dovecot", "-c", dovecot_conf, log_file=f"{values['log_dir']}/start.log")
    wait_for(lambda: auth_ready(values["auth_port"]), "Dovecot's auth service", values)
    Path(values["postfix_queue_dir"]).mkdir(parents=True, exist_ok=True)
    if postfix_running(values):
        start_daemon("postfix", "-c", postfix_dir, "reload", log_file=f"{values['log_dir']}/start.log")
    else:
        run("postfix", "-c", postfix_dir, "check", check=False)
        start_daemon("postfix", "-c", postfix_dir, "start", log_file=f"{values['log_dir']}/start.log")
    wait_for_ports(values)
    print(
        f"mail stack '{instance}' running: IMAP 127.0.0.1:{values['imap_port']}, SMTP :{values['smtp_port']}, "
        f"submission :{values['submission_port']}; logs in {values['log_dir']}"
    )


def do_stop(instance: str) -> None:
    values = settings_for(instance)
    if dovecot_running(values):
        run("doveadm", "-c", f"{values['config_dir']}/dovecot/dovecot.conf", "stop", check=False)
    if Path(values["config_dir"], "postfix", "main.cf").exists() and postfix_running(values):
        run("postfix", "-c", f"{values['config_dir']}/postfix", "stop", check=False)
    stop_milter(values)


def do_status(instance: str) -> int:
    values = settings_for(instance)
    up = {
        "dovecot": dovecot_running(values),
        "postfix": postfix_running(values),
        "milter": milter_pid(values) is not None,
    }
    for name, ok in up.items():
        print(f"{name}: {'running' if ok else 'stopped'}")
    return 0 if all(up.values()) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["render", "start", "stop", "restart", "status"])
    parser.add_argument("--instance", choices=sorted(PROFILES), default="demo")
    args = parser.parse_args()
    try:
        if args.command == "render":
            do_render(args.instance)
        elif args.command == "start":
            do_start(args.instance)
        elif args.command == "stop":
            do_stop(args.instance)
        elif args.command == "restart":
            do_stop(args.instance)
            do_start(args.instance)
        else:
            return do_status(args.instance)
    except StackError as error:
        print(f"roost mail stack: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
