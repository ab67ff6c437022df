from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from minutes import urls as minutes_urls
from minutes.views import HomeView
from scrutiny.languages import set_language
from scrutiny.views import LoginView

admin.site.site_header = _("Scrutiny: board secretariat")
admin.site.site_title = _("Scrutiny")
admin.site.index_title = _("Meetings, minutes and actions")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("secretariat/", include("minutes.editor.urls")),
    path("actions/", include("actions.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    # The public pages in each language (/en/boards/..., /cy/boards/...) and, unprefixed, the
    # API, feeds and files: see minutes/urls.py. Given as (patterns, app, namespace) rather
    # than through include(), which refuses language prefixes below the root: one "minutes"
    # namespace holds both, so every reverse("minutes:...") stays as it was.
    path("", (minutes_urls.urlpatterns, "minutes", "minutes")),
]
# An old address without the prefix (/boards/..., /meetings/12/, /<body>/) answers 404 here and
# LocaleMiddleware redirects it to the same page in the visitor's language.
urlpatterns += i18n_patterns(
    path("", HomeView.as_view(), name="home"),
    prefix_default_language=True,
)
