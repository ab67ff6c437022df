from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Action register")

    def ready(self):
        from actions import counts
        from actions.body_scope import RULES
        from scrutiny import row_rules

        row_rules.connect(self, migration="0010_c9_body_scope", rules=RULES)
        counts.connect(self, migration="0011_sc14b_register_counts")
