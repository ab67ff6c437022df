"""What belongs to a sign-in account rather than to the record: the history of accounts (who
made whom superuser or staff, and group changes) and a user's own preferences."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history import register

# The password hash and the time of the last sign-in are no part of the audit trail.
register(
    get_user_model(),
    app="scrutiny",
    excluded_fields=["password", "last_login"],
    m2m_fields=["groups", "user_permissions"],
)


class Profile(models.Model):
    """A user's preferences: the language of the pages they see once signed in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the pages this user sees once signed in."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class PublicGeneration(models.Model):
    """One row: the generation of what the public sees, a new token after every committed
    write to a table public pages read (scrutiny.public_cache). Visitors' copies of public
    pages are cached under it, so a change is a new key on every instance at once."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)

    class Meta:
        db_table = "scrutiny_publicgeneration"

    def __str__(self) -> str:
        return self.token
