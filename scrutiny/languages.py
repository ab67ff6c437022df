"""The language a page is shown in: the address says it on public pages (/cy/, /en/); elsewhere
the visitor's choice, kept in their session and, once signed in, on their profile."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.urls import translate_url
from django.utils import translation
from django.views.i18n import set_language as django_set_language

SESSION_KEY = "language"


def is_language(code: str | None) -> bool:
    return code in dict(settings.LANGUAGES)


def language_set(*, user, language: str) -> None:
    """Keep a signed-in user's language for their next sign-in."""
    from scrutiny.models import Profile

    if user is not None and user.is_authenticated and is_language(language):
        Profile.objects.update_or_create(user=user, defaults={"language": language})


def set_language(request):
    """Django's /i18n/setlang/, which also remembers the choice in the session and profile."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and is_language(language):
        request.session[SESSION_KEY] = language
        language_set(user=request.user, language=language)
    return response


@receiver(user_logged_in)
def _apply_preference(sender, request, user, **kwargs):
    """On sign-in, the pages turn to the language the user chose last time."""
    from scrutiny.models import Profile

    if request is None or not hasattr(request, "session"):
        return
    language = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    if language is None and is_language(request.session.get(SESSION_KEY)):
        language = request.session[SESSION_KEY]
    if language:
        request.session[SESSION_KEY] = language
        translation.activate(language)
        request.LANGUAGE_CODE = language


def alternates(request) -> list[dict]:
    """The same page in each language, for the switcher and the hreflang links."""
    current = translation.get_language()
    path = request.get_full_path()
    prefixed = translation.get_language_from_path(request.path_info) is not None
    out = []
    for code, name in settings.LANGUAGES:
        with translation.override(code):
            own_name = str(translation.gettext(name))
        url = translate_url(path, code) if prefixed else path
        out.append(
            {
                "code": code,
                "name": own_name,
                "url": url,
                "current": code == current,
                "i18n": prefixed,
            }
        )
    return out


def in_language(obj, field_name: str, language: str) -> tuple[str, str]:
    """A printed text in the document's language, and the language it is really in when only
    the English exists ("" when it is in the document's own language). `obj` is a record, or
    a dict as a published agenda stores one."""
    if isinstance(obj, dict):
        english, welsh = obj.get(field_name) or "", obj.get(f"{field_name}_cy") or ""
    else:
        english, welsh = getattr(obj, field_name), getattr(obj, f"{field_name}_cy", "")
    if language != "cy":
        return english, ""
    if welsh:
        return welsh, ""
    return english, "en" if english else ""
