from django.apps import AppConfig


def _is_admin(user: object) -> bool:
    return bool(getattr(user, "is_staff", False))


class MailadminConfig(AppConfig):
    name = "mailadmin"
    verbose_name = "Mail directory"

    def ready(self) -> None:
        from core.shell import ShellApp, shell_app_register

        # Until the admin panel issue lands, administration happens in Django's admin (its own pages).
        shell_app_register(
            ShellApp(
                key="admin",
                label="Admin",
                url_name="admin:index",
                icon="i-shield",
                namespaces=(),
                order=90,
                visible=_is_admin,
            )
        )
