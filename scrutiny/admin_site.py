"""The secretariat pages (Django's admin), with two-factor sign-in unless it is turned off."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class ScrutinyAdminSite(AdminSite):
    """Staff need a verified one-time-password device when ADMIN_REQUIRE_OTP is on (the default
    in production). Devices are enrolled with `manage.py otp_enrol USERNAME`."""

    @property
    def login_form(self):
        return OTPAdminAuthenticationForm if settings.ADMIN_REQUIRE_OTP else None

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.ADMIN_REQUIRE_OTP else None

    def has_permission(self, request):
        allowed = super().has_permission(request)
        if allowed and settings.ADMIN_REQUIRE_OTP:
            return request.user.is_verified()
        return allowed
