from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who signs in. For a mailbox the username is its address, in lower case."""

    class Meta:
        db_table = "accounts_user"
