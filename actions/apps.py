from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Action register")

    def ready(self):
        from actions import counts
        from actions.body_scope import LINK_RULES, RULES
        from scrutiny import row_rules
        from scrutiny.limits import clean_text_on_write

        row_rules.connect(self, migration="0010_c9_body_scope", rules=RULES)
        row_rules.connect(self, migration="0011_wp9b_see_also_scope", rules=LINK_RULES)
        counts.connect(self, migration="0011_sc14b_register_counts")
        clean_text_on_write(self.get_models())
