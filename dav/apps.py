from django.apps import AppConfig


def register_addressbooks() -> None:
    from .carddav import register_carddav

    register_carddav()


def register_calendars() -> None:
    from .caldav import register_caldav

    register_caldav()


class DavConfig(AppConfig):
    name = "dav"

    def ready(self) -> None:
        register_addressbooks()
        register_calendars()
