"""Signing in: each kind of user lands where their work is."""

from django.contrib.auth import views as auth_views
from django.urls import reverse

from scrutiny.two_factor import SignInForm


class LoginView(auth_views.LoginView):
    authentication_form = SignInForm

    def get_default_redirect_url(self):
        user = self.request.user
        if getattr(user, "person", None) is not None and not user.has_perm("actions.view_action"):
            return reverse("actions:action-mine")  # a force lead: their actions
        if user.has_perm("actions.view_action"):
            return reverse("actions:action-list")  # OPCC staff and members: the register
        return super().get_default_redirect_url()
