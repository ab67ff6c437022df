from django.conf import settings
from django.utils.translation import gettext_lazy as _


def site(request):
    """What every page's chrome needs."""
    return {"SITE_NAME": _("Scrutiny"), "DEBUG": settings.DEBUG}


def languages(request):
    """The page in each language: the switcher, and hreflang alternates on public pages."""
    from scrutiny.languages import alternates

    return {"LANGUAGE_ALTERNATES": alternates(request)}
