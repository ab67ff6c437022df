from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

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
    path("actions/", include("actions.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
]
# The public pages in each language: /en/boards/..., /cy/boards/.... An old address without the
# prefix redirects to the visitor's language (LocaleMiddleware does it for any path here).
urlpatterns += i18n_patterns(
    path("", HomeView.as_view(), name="home"),
    path("", include("minutes.urls")),
    prefix_default_language=True,
)
