"""Work done in the background (django.tasks): the worker runs it, tests run it at once."""

from django.tasks import task

from meetings.models import AgendaPublication


@task()
def build_agenda_pack(publication_id: int) -> None:
    """Build the agenda pack of a published agenda (the agenda, then its public papers)."""
    from minutes.services import agenda_pack_build

    publication = AgendaPublication.objects.select_related("meeting__board__body").get(
        pk=publication_id
    )
    agenda_pack_build(publication=publication)
