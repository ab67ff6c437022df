from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinutesConfig(AppConfig):
    name = "minutes"
    verbose_name = _("Minutes")

    def ready(self):
        from meetings.signals import papers_withheld
        from scrutiny.limits import clean_text_on_write
        from scrutiny.upkeep import daily_upkeep

        clean_text_on_write(self.get_models())

        papers_withheld.connect(_rebuild_agenda_pack, dispatch_uid="minutes.rebuild_agenda_pack")
        daily_upkeep.connect(_remove_expired_previews, dispatch_uid="minutes.expired_previews")
        _watch_public_tables()


def _watch_public_tables():
    """The tables public pages read (tests/minutes/test_visitor_cache.py checks the list
    against the queries of each kept page): a write to any of them gives visitors' copies a
    new generation (scrutiny.public_cache)."""
    from actions.models import Action
    from meetings import models as record
    from minutes.models import PublicAction
    from scrutiny import public_cache

    public_cache.watch(
        record.Organisation,
        record.Board,
        record.Meeting,
        record.Publication,
        record.PublishedDocument,
        record.AgendaPublication,
        Action,
        PublicAction,
    )


def _rebuild_agenda_pack(sender, *, meeting, **kwargs):
    from minutes.services import agenda_pack_rebuild

    agenda_pack_rebuild(meeting=meeting)


def _remove_expired_previews(sender, **kwargs):
    from minutes.services import preview_remove_expired

    preview_remove_expired()
