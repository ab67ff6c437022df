"""Background work of the minutes: run by `manage.py db_worker`, any number of them."""

from django.db import transaction
from django.tasks import task

from meetings.models import Publication, PublishedDocument


@task
def publication_render_documents(
    publication_id: int, minutes_html: str, questions_html: str | None
) -> None:
    """Render the PDFs of a publication from the HTML frozen when it was published, so what
    the PDFs say is what the publication says however late the worker gets to it."""
    from minutes import documents
    from minutes.services import store_document

    sources = [(PublishedDocument.Kind.MINUTES, minutes_html)]
    if questions_html is not None:
        sources.append((PublishedDocument.Kind.QUESTIONS, questions_html))
    rendered = [(kind, documents.render_pdf(html)) for kind, html in sources]
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_id)
        have = set(publication.documents.values_list("kind", flat=True))
        for kind, pdf in rendered:
            if kind not in have:  # a retried task stores nothing twice
                store_document(publication, kind, pdf)
