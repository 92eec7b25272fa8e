from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import RoostError
from demo.seed import demo_seed


class Command(BaseCommand):
    help = "Create the demo domain example.test (alice, bob, carol, postmaster) and deliver demo mail. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", required=True, help="Password for new demo mailboxes.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_seed(password=options["password"])
        except RoostError as error:
            raise CommandError(str(error)) from None
        created = ", ".join(report.created) or "nothing new"
        self.stdout.write(
            f"demo: created {created}; delivered {report.delivered} messages, {report.skipped} already there; "
            f"added {report.events} calendar events and {report.contacts} contacts"
        )
