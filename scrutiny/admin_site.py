"""The secretariat pages (Django's admin), with two-factor sign-in unless it is turned off."""

from collections import Counter

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from scrutiny.limits import as_id


class BodyLabelledAutocompleteView(AutocompleteJsonView):
    """A search box's results span every body: two that read alike (each body has its "PCC")
    are told apart by their body. A box of a body's page searches that body's records only
    (`?body=`, given by the page: SharedChoicesInline.search_params), where the searched
    model's admin says how a record reaches its body (`body_path`)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        body = as_id(self.request.GET.get("body", ""))
        path = getattr(self.model_admin, "body_path", None)
        if body is not None and path:
            queryset = queryset.filter(**{path: body})
        return queryset

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if self.alike[result["text"]] > 1 and getattr(obj, "body", None) is not None:
            result["text"] = f"{result['text']} ({obj.body})"
        if getattr(obj, "body_id", None) is not None:
            # A page can then scope its other boxes to the body of the record chosen (a board).
            result["body"] = str(obj.body_id)
        return result

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        self.alike = Counter(str(obj) for obj in context["object_list"])
        return context


class ScrutinyAdminSite(AdminSite):
    """Staff need a verified one-time-password device when ADMIN_REQUIRE_OTP is on (the default
    in production). Devices are enrolled with `manage.py otp_enrol USERNAME`."""

    def has_permission(self, request):
        allowed = super().has_permission(request)
        if allowed and settings.ADMIN_REQUIRE_OTP:
            return request.user.is_verified()
        return allowed

    def autocomplete_view(self, request):
        return BodyLabelledAutocompleteView.as_view(admin_site=self)(request)

    def login(self, request, extra_context=None):
        """One sign-in page for everyone (scrutiny.two_factor.SignInForm), whatever the route."""
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=self.name
        )
        if request.method == "GET" and self.has_permission(request):
            return redirect(reverse("admin:index", current_app=self.name))
        return redirect_to_login(target, reverse("login"))
