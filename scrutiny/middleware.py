from django.middleware import locale
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control

from scrutiny.languages import SESSION_KEY, is_language


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
