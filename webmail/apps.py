from django.apps import AppConfig


class WebmailConfig(AppConfig):
    name = "webmail"

    def ready(self) -> None:
        from core.shell import ShellApp, shell_app_register

        shell_app_register(
            ShellApp(
                key="mail",
                label="Mail",
                url_name="webmail:home",
                icon="i-inbox",
                namespaces=("webmail",),
                sidebar_template="webmail/partials/sidebar.html",
                shortcuts_template="webmail/partials/shortcuts.html",
                search_placeholder="Search mail",
                drawer_label="Folders",
                settings_url_name="webmail:settings",
                order=10,
            )
        )
