from typing import Any

from django.core.management.base import BaseCommand, CommandError

from webmail.health import service_checks


class Command(BaseCommand):
    help = "Check that Postgres, Redis, IMAP and SMTP are reachable; say what is wrong and how to fix it."

    def handle(self, *args: Any, **options: Any) -> None:
        failed = []
        for check in service_checks():
            mark = "ok  " if check.ok else "FAIL"
            self.stdout.write(f"{mark} {check.name}: {check.detail}")
            if check.warning:
                self.stdout.write(f"warn {check.name}: {check.warning}")
            if not check.ok:
                failed.append(check.name)
        if failed:
            raise CommandError(f"not ready: {', '.join(failed)}")
