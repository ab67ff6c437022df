from django.conf import settings


def site(request):
    """What every page's chrome needs."""
    return {"SITE_NAME": "Scrutiny", "DEBUG": settings.DEBUG}
