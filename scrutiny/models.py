"""The history of sign-in accounts: who made whom superuser or staff, and group changes."""

from django.contrib.auth import get_user_model
from simple_history import register

# The password hash and the time of the last sign-in are no part of the audit trail.
register(
    get_user_model(),
    app="scrutiny",
    excluded_fields=["password", "last_login"],
    m2m_fields=["groups", "user_permissions"],
)
