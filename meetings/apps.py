from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from meetings.body_scope import GROUP_RULES, RULES
        from scrutiny import row_rules
        from scrutiny.limits import clean_text_on_write

        row_rules.connect(self, migration="0015_c9_body_scope", rules=RULES)
        row_rules.connect(self, migration="0017_wp9b_group_scope", rules=GROUP_RULES)
        clean_text_on_write(self.get_models())
