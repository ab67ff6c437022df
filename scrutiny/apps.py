from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ScrutinyConfig(AppConfig):
    name = "scrutiny"
    default = True


class ScrutinyAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "scrutiny.admin_site.ScrutinyAdminSite"
