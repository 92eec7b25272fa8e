from django.apps import AppConfig


def register_addressbooks() -> None:
    from .carddav import register_carddav

    register_carddav()


class DavConfig(AppConfig):
    name = "dav"

    def ready(self) -> None:
        register_addressbooks()
