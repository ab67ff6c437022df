from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from minutes.views import HomeView
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
    path("", HomeView.as_view(), name="home"),
    path("", include("minutes.urls")),
]
