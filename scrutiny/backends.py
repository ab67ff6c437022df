"""Signing in with a username and password."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

# The password load_demo gives every demo user; README: refused whenever DEBUG is off.
DEMO_PASSWORD = "scrutiny-demo"


class PasswordBackend(ModelBackend):
    """Django's own, except that the published demo password never opens a real site."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password == DEMO_PASSWORD and not settings.DEBUG:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
