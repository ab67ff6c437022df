from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Action register")

    def ready(self):
        from actions.body_scope import install_rules, lift_rules

        post_migrate.connect(install_rules, sender=self, dispatch_uid="actions.body_scope")
        pre_migrate.connect(lift_rules, sender=self, dispatch_uid="actions.body_scope_lift")
