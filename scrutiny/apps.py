from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ScrutinyConfig(AppConfig):
    name = "scrutiny"
    default = True

    def ready(self):
        from scrutiny import languages  # noqa: F401  (applies a user's language on sign-in)


class ScrutinyAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "scrutiny.admin_site.ScrutinyAdminSite"

    def ready(self):
        from django.contrib.admin import options
        from django.db import models

        from scrutiny.forms import PlainTextField

        # Every text area of every admin page and inline: an unchanged page is no edit.
        text_area = options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.TextField]
        text_area["form_class"] = PlainTextField
        super().ready()  # registers the admins, which copy the defaults when created
