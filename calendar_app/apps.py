from django.apps import AppConfig


class CalendarAppConfig(AppConfig):
    name = "calendar_app"
    verbose_name = "Calendar"

    def ready(self) -> None:
        from core.shell import ShellApp, shell_app_register

        shell_app_register(
            ShellApp(
                key="calendar",
                label="Calendar",
                url_name="calendar_app:home",
                icon="i-calendar",
                namespaces=("calendar_app",),
                sidebar_template="calendar_app/partials/sidebar.html",
                shortcuts_template="calendar_app/partials/shortcuts.html",
                drawer_label="Calendars",
                settings_url_name="calendar_app:settings",
                order=30,
            )
        )
