from django.contrib.auth.models import AnonymousUser
from django.utils.cache import add_never_cache_headers, patch_cache_control

from scrutiny.two_factor import second_factor_required


class PrivatePagesNotCachedMiddleware:
    """Pages shown to a signed-in user may hold what the public must not see: never cache them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/admin/"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class SecondFactorMiddleware:
    """Where two-factor sign-in is required, an account signed in without its second factor is
    treated as the public on every page and export, whatever the route by which it signed in.
    Private pages then send it to the sign-in page, which asks for the code. Goes after
    django-otp's middleware, which knows whether the session was verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and second_factor_required(user):
            anonymous = AnonymousUser()
            anonymous.otp_device = None
            anonymous.is_verified = lambda: False
            request.user = anonymous

            async def auser():
                return anonymous

            request.auser = auser
        return self.get_response(request)
