from urllib.parse import unquote_plus

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import TooManyFieldsSent
from django.http import Http404, HttpResponseBadRequest
from django.middleware import locale
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext

from scrutiny.languages import SESSION_KEY, is_language
from scrutiny.limits import BIGGEST_ID
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


# What a post from anyone but signed-in staff may carry; Django's own limit is lifted (settings)
# so that a secretariat page with many items is never refused and what was typed never lost.
PUBLIC_MAX_FIELDS = 1000


class FieldCountMiddleware:
    """The public and force leads keep Django's limit of 1,000 fields a post (cheap to count,
    before anything is parsed); signed-in staff, already limited by the size of a post
    (DATA_UPLOAD_MAX_MEMORY_SIZE), may post a long meeting in one go. Goes after the
    two-factor middleware, so staff means staff with their second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and not request.user.is_staff:
            if _field_count(request) > PUBLIC_MAX_FIELDS:
                raise TooManyFieldsSent(
                    "The number of GET/POST parameters exceeded the public limit."
                )
        return self.get_response(request)


def _field_count(request) -> int:
    if request.content_type == "application/x-www-form-urlencoded":
        return request.body.count(b"&") + 1
    if request.content_type == "multipart/form-data":
        boundary = request.content_params.get("boundary", "")
        return request.body.count(b"--" + boundary.encode("ascii", "replace")) - 1
    return 0


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


class IdsInRangeMiddleware:
    """An id in an address beyond what the database stores is no record: 404, rather than the
    OverflowError SQLite raises when such a number reaches a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        values = [*view_args, *view_kwargs.values()]
        if any(isinstance(value, int) and abs(value) > BIGGEST_ID for value in values):
            raise Http404
        return None


class LocaleMiddleware(locale.LocaleMiddleware):
    """A language prefix decides a public page's language; elsewhere (the register, the
    force-lead pages, the secretariat) the language the visitor chose, kept in their session."""

    def process_request(self, request):
        super().process_request(request)
        if translation.get_language_from_path(request.path_info) is not None:
            return
        chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if is_language(chosen):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
