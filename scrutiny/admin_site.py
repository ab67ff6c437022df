"""The secretariat pages (Django's admin), with two-factor sign-in unless it is turned off."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse


class ScrutinyAdminSite(AdminSite):
    """Staff need a verified one-time-password device when ADMIN_REQUIRE_OTP is on (the default
    in production). Devices are enrolled with `manage.py otp_enrol USERNAME`."""

    def has_permission(self, request):
        allowed = super().has_permission(request)
        if allowed and settings.ADMIN_REQUIRE_OTP:
            return request.user.is_verified()
        return allowed

    def login(self, request, extra_context=None):
        """One sign-in page for everyone (scrutiny.two_factor.SignInForm), whatever the route."""
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=self.name
        )
        if request.method == "GET" and self.has_permission(request):
            return redirect(reverse("admin:index", current_app=self.name))
        return redirect_to_login(target, reverse("login"))
