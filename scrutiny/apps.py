from django.apps import AppConfig, apps
from django.contrib.admin import apps as admin_apps
from django.db import connections
from django.db.models.signals import post_migrate


def _create_groups(sender, **kwargs):
    """`migrate` creates the staff groups with their documented permissions, once every app's
    permissions exist (after the last app with models); `manage.py setup_groups` does the same."""
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if with_models and sender is with_models[-1]:
        from scrutiny.groups import ensure_groups

        ensure_groups()


class ScrutinyConfig(AppConfig):
    name = "scrutiny"
    default = True

    def ready(self):
        post_migrate.connect(_create_groups, dispatch_uid="scrutiny.create_groups")
        from scrutiny import (
            languages,  # noqa: F401  (applies a user's language on sign-in)
            lookups,  # noqa: F401  (`__in_array`)
            public_cache,
            transactions,  # noqa: F401  (a task run at once takes its savepoints)
        )

        # Writes to the tables public pages read give a new generation (and connections made
        # before now watch them too).
        for connection in connections.all(initialized_only=True):
            public_cache.install(connection)


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
