from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinutesConfig(AppConfig):
    name = "minutes"
    verbose_name = _("Minutes")

    def ready(self):
        from meetings.signals import papers_withheld
        from scrutiny.limits import clean_text_on_write

        clean_text_on_write(self.get_models())

        papers_withheld.connect(_rebuild_agenda_pack, dispatch_uid="minutes.rebuild_agenda_pack")


def _rebuild_agenda_pack(sender, *, meeting, **kwargs):
    from minutes.services import agenda_pack_rebuild

    agenda_pack_rebuild(meeting=meeting)
