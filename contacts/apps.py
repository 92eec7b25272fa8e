from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from core.shell import ShellApp, shell_app_register

        shell_app_register(
            ShellApp(
                key="contacts",
                label="Contacts",
                url_name="contacts:home",
                icon="i-people",
                namespaces=("contacts",),
                sidebar_template="contacts/partials/sidebar.html",
                shortcuts_template="contacts/partials/shortcuts.html",
                drawer_label="Address books",
                order=20,
            )
        )
