from django.utils.translation import gettext_lazy as _

from minutes.documents import render_minutes_pdf
from minutes.management.commands._render import RenderCommand


class Command(RenderCommand):
    help = _("Render a meeting's minutes as PDF without publishing them, to check or preview.")
    render = staticmethod(render_minutes_pdf)
