from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from meetings.minutes import minutes_content
from meetings.models import Board, Meeting


def can_see_full_record(user) -> bool:
    """Signed-in OPCC staff and members see drafts, exempt items and restricted responses."""
    return user.is_authenticated and user.has_perm("meetings.view_meeting")


class HomeView(ListView):
    """The boards, each with its latest meetings."""

    template_name = "meetings/home.html"
    context_object_name = "boards"

    def get_queryset(self):
        visible = Meeting.objects.visible_to(self.request.user)
        return (
            Board.objects.select_related("body")
            .annotate(meeting_count=Count("meetings", filter=Q(meetings__in=visible)))
            .prefetch_related(
                Prefetch(
                    "meetings",
                    queryset=visible.order_by("-held_on", "title"),
                    to_attr="visible_meetings",
                )
            )
            .order_by("body__name", "name")
        )


class BoardDetailView(DetailView):
    model = Board
    template_name = "meetings/board_detail.html"
    context_object_name = "board"

    def get_queryset(self):
        return Board.objects.select_related("body")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meetings"] = (
            Meeting.objects.visible_to(self.request.user)
            .filter(board=self.object)
            .order_by("-held_on", "title")
        )
        return context


class MeetingDetailView(DetailView):
    """The minutes as a page: the public see only what is published and not withheld."""

    template_name = "meetings/meeting_detail.html"
    context_object_name = "meeting"

    def get_object(self, queryset=None):
        queryset = Meeting.objects.visible_to(self.request.user).select_related(
            "board__body", "chair", "chair_role"
        )
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        public = not can_see_full_record(self.request.user)
        context["minutes"] = minutes_content(self.object, public=public)
        context["full_record"] = not public
        return context
