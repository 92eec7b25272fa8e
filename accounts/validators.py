from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

# bcrypt reads no more than 72 bytes of a password: the bcrypt library refuses longer ones and
# Dovecot's crypt() would silently cut them, so Roost and Dovecot agree only below this length.
BCRYPT_MAX_BYTES = 72


class BcryptLengthValidator:
    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if len(password.encode()) > BCRYPT_MAX_BYTES:
            raise ValidationError(
                f"This password is too long: at most {BCRYPT_MAX_BYTES} bytes (letters outside English may "
                "take 2 to 4 bytes each). Choose a shorter one.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can be at most {BCRYPT_MAX_BYTES} bytes long."
