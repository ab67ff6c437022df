from django.utils.translation import gettext_lazy as _

from minutes.documents import render_questions_pdf
from minutes.management.commands._render import RenderCommand


class Command(RenderCommand):
    help = _("Render a meeting's questions and responses as PDF without publishing them.")
    render = staticmethod(render_questions_pdf)
