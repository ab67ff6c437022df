"""Two-factor sign-in: who needs a second factor, and the sign-in form that asks for it."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice


def second_factor_required(user) -> bool:
    """Whether this account opens nothing private until its session is verified by a code.

    Staff and anyone holding a permission (members read drafts) need one whenever
    ADMIN_REQUIRE_OTP is on; force leads, whose pages hold non-public police actions, when
    FORCE_LEAD_REQUIRE_OTP is on too.
    """
    if not user.is_authenticated:
        return False
    if settings.ADMIN_REQUIRE_OTP and (
        user.is_staff or user.is_superuser or user.get_all_permissions()
    ):
        return True
    return settings.FORCE_LEAD_REQUIRE_OTP and hasattr(user, "person")


def sign_in_device(user) -> TOTPDevice | None:
    """The authenticator the user signs in with (`manage.py otp_enrol` gives each one)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


class SignInForm(OTPAuthenticationFormMixin, AuthenticationForm):
    """Username, password and, for whoever needs or chose one, the code from their app.

    The code is asked for on the same page from the start, so the first submit succeeds; the
    device is the user's own, found after the password, never chosen on the page; the password
    is never written back into the page.
    """

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=8,
        help_text=_("Six digits. Needed by OPCC staff, and by anyone who has set up an app."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": _("Enter the six-digit code from your authenticator app."),
        "invalid_token": _("That code is wrong or has expired: enter the code the app shows now."),
    }
    no_device_message = _(
        "This account needs two-factor sign-in but has no authenticator app yet: ask an "
        "administrator to set one up (manage.py otp_enrol)."
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None:
            return cleaned
        device = sign_in_device(user)
        if device is None:
            if second_factor_required(user):
                raise forms.ValidationError(self.no_device_message, code="no_device")
            user.otp_device = None
            return cleaned
        self.clean_otp(user)
        return cleaned

    def _chosen_device(self, user):
        return sign_in_device(user)

    def _update_form(self, user):
        """django-otp fills in a device list and echoes the password here: neither is wanted."""
