from urllib.parse import unquote_plus

from django.http import HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext


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


class RejectNulBytesMiddleware:
    """A NUL byte has no place in an address, and PostgreSQL refuses it in a query: answer
    400 at once rather than fail deep in a view with a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = unquote_plus(request.META.get("QUERY_STRING", ""))
        if "\x00" in request.path or "\x00" in query:
            return HttpResponseBadRequest(
                gettext("The address contains a character that is not allowed."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
