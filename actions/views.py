import hashlib
import io

from crispy_forms.utils import render_crispy_form
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import DetailView, ListView, View

from actions import exports, forms, services
from actions.counts import register_counts
from actions.filters import ActionFilter, Among, history_version, search_actions
from actions.models import (
    OUTSTANDING,
    Action,
    ActionExport,
    ActionOwner,
    ActionStatus,
    ActionUpdate,
)
from meetings.models import Board, Meeting, Person, Role, may_see_full_record
from scrutiny import audit

PAGE_SIZE = 25


def person_of(user):
    """The person a signed-in user is, if they are one of the people in the record."""
    return getattr(user, "person", None) if user.is_authenticated else None


def can_read_register(user) -> bool:
    return user.has_perm("actions.view_action")


def can_manage_actions(user) -> bool:
    return user.has_perm("actions.change_action")


class RegisterReaderMixin(PermissionRequiredMixin):
    """OPCC staff only: visitors are sent to sign in, other users are refused."""

    permission_required = "actions.view_action"
    permission_denied_message = _lazy("The action register is for OPCC staff.")


class RegisterPageMixin:
    """Pages through the register in two steps: the matching ids, filtered and sorted on the
    action's own columns alone, then the page's 25 rows with everything a row shows. Sorting
    thousands of narrow rows is cheap; sorting them with their progress and minutes is not."""

    overdue_first_on = None  # the day, when the register is in its "most overdue first" order
    SORTED_CHEAPLY = 500  # so many matching actions are sorted whole sooner than looked up twice

    def paginate_queryset(self, queryset, page_size):
        ids = queryset.values_list("pk", flat=True)
        paginator, page, ids, is_paginated = super().paginate_queryset(ids, page_size)
        ids = self.overdue_page(queryset, page) or list(ids)
        rows = Action.objects.for_register().in_bulk(ids)
        page.object_list = [rows[pk] for pk in ids]
        return paginator, page, page.object_list, is_paginated

    def overdue_page(self, queryset, page) -> list[int] | None:
        """Most overdue first, the overdue come first, by due date: when they fill the page, it
        is read from them alone through the index of outstanding due dates (migration 0008),
        rather than by sorting every matching action. None: the page reaches past them."""
        if self.overdue_first_on is None or page.paginator.count <= self.SORTED_CHEAPLY:
            return None
        size = page.paginator.per_page
        start = (page.number - 1) * size
        ids = list(
            queryset.overdue(self.overdue_first_on)
            .order_by("due_on", "board__action_prefix", "number")
            .values_list("pk", flat=True)[start : start + size]
        )
        return ids if len(ids) == size else None


class ActionListView(RegisterPageMixin, RegisterReaderMixin, ListView):
    """Every outstanding action of every board, filtered, sorted and counted."""

    template_name = "actions/action_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "actions"

    def get_filterset(self):
        today = timezone.localdate()
        base = Action.objects.for_register().most_overdue_first(today)
        return ActionFilter(self.request.GET, queryset=base, request=self.request)

    def get_queryset(self):
        if not self.request.GET.get("ordering"):
            self.overdue_first_on = timezone.localdate()
        self.filterset = self.get_filterset()
        if self.filterset.is_bound and not self.filterset.is_valid():
            return Action.objects.none().for_register()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status_counts, owners = self.counts()
        context["status_counts"] = [
            (label, status_counts.get(value, 0), value)
            for value, label in ActionStatus.choices
            if status_counts.get(value)
        ]
        context["owner_counts"] = owner_names(owners)
        context["filter"] = self.filterset
        context["filter_form"] = self.filter_form_html()
        context["today"] = timezone.localdate()
        context["query_string"] = self.request.GET.urlencode()
        params = self.request.GET.copy()
        params.pop("page", None)
        context["filter_query"] = params.urlencode()
        context["can_manage"] = can_manage_actions(self.request.user)
        context["exports"] = ActionExport.objects.filter(requested_by=self.request.user).order_by(
            "-requested_at"
        )[:5]
        return context

    # Filters whose matches depend on more than the actions, their owners and progress
    # (people's posts, names, meeting dates): their counts are not cached, and they match few.
    UNCACHED_COUNTS = (
        "owner_role",
        "owner_person",
        "raised_at",
        "raised_after",
        "raised_before",
    )

    # Filters the database keeps counts for (actions/counts.py): read, never recounted.
    KEPT_COUNTS = ("board", "status")

    def counts(self) -> tuple[dict, list[dict]]:
        """The matching actions counted by status (their sum is the page's total) and by owner.

        By board and status (the register as it opens, and its usual filters), the counts are
        those the database keeps up to date as actions and owners change: no request counts
        the actions. Under other filters they are counted: afresh where the matches depend on
        other tables (they match few), else cached under the filter and a version of the data
        (`history_version`: the newest history row of actions, owners and progress, which moves
        with every change of any of them)."""
        if hasattr(self, "_counts"):
            return self._counts
        matching = self.object_list

        def count(filtered_afresh: bool = False):
            if filtered_afresh and matching.query.where:
                # A filtered set (a search, a person, a meeting) is usually small: read its ids
                # and statuses once, count the statuses here and the owners by those ids,
                # rather than matching the filter again for each count.
                pairs = list(matching.order_by().values_list("pk", "status")[: COUNTED_HERE + 1])
                if len(pairs) <= COUNTED_HERE:
                    by_status: dict[str, int] = {}
                    for _pk, status in pairs:
                        by_status[status] = by_status.get(status, 0) + 1
                    return by_status, owner_id_counts(ids=[pk for pk, _status in pairs])
            by_status = dict(
                matching.order_by()
                .values_list("status")
                .annotate(n=Count("pk"))
                .values_list("status", "n")
            )
            return by_status, owner_id_counts(matching)

        params = self.request.GET.copy()
        for name in ("page", "ordering"):
            params.pop(name, None)
        if self.filterset.is_valid() and not any(
            params.get(name) for name in params if name not in self.KEPT_COUNTS
        ):
            # By board and status: the counts the database keeps (actions/counts.py).
            data = self.filterset.form.cleaned_data
            self._counts = register_counts(
                statuses=data.get("status") or OUTSTANDING, board=data.get("board")
            )
            return self._counts
        if not self.filterset.is_valid() or any(params.get(n) for n in self.UNCACHED_COUNTS):
            self._counts = count(filtered_afresh=True)
            return self._counts
        searched = bool(params.get("q"))
        self.filterset.version = self.filterset.version or history_version()
        version = (self.filterset.version, timezone.localdate())  # "overdue" moves with the day
        fingerprint = repr((sorted(params.lists()), version)).encode()
        key = f"register-counts:{hashlib.sha256(fingerprint).hexdigest()}"
        self._counts = cache.get(key)
        if self._counts is None:
            self._counts = count(filtered_afresh=searched)
            cache.set(key, self._counts, 600)
        return self._counts

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = sum(self.counts()[0].values())  # known already: no COUNT(*)
        return paginator

    def filter_form_html(self) -> str:
        """The filter form as drawn, from the cache when the same filter was drawn before.

        Drawing it is a third of the page's time; what it shows depends only on the address
        (the values typed, their errors) and on the boards offered, which are part of the key.
        A search box given a record's number shows that record's name: never cached."""
        params = self.request.GET.copy()
        params.pop("page", None)
        if any((params.get(name) or "").strip().isdigit() for name in ActionFilter.SEARCHED):
            return render_crispy_form(self.filterset.form)
        boards = list(Board.objects.order_by("name").values_list("pk", "name"))
        fingerprint = repr((sorted(params.lists()), boards)).encode()
        key = f"register-filter:{get_language()}:{hashlib.sha256(fingerprint).hexdigest()}"
        html = cache.get(key)
        if html is None:
            board = self.filterset.form.fields["board"]
            board.widget.choices = [("", board.empty_label), *boards]  # as read: no second query
            html = render_crispy_form(self.filterset.form)
            cache.set(key, str(html), 600)
        return mark_safe(html)  # noqa: S308 (drawn by crispy from the form, escaped there)


COUNTED_HERE = 10_000  # matching actions whose statuses are counted from their ids


def owner_id_counts(actions=None, limit: int = 12, *, ids: list[int] | None = None) -> list[dict]:
    """The owners with most of these actions (a queryset, or their ids), by id. An owner
    appears once an action (the constraints say so), so counting owner rows by id is counting
    actions, with no DISTINCT and no join to names until the few shown are known."""
    owners = ActionOwner.objects.all()
    if ids is not None:
        owners = owners.filter(Among("action_id", ids))
    elif actions.query.where:
        owners = owners.filter(action__in=actions.order_by().values("pk"))
    return list(
        owners.values("role_id", "person_id").annotate(n=Count("pk")).order_by("-n")[: limit * 2]
    )


def owner_names(counts: list[dict], limit: int = 12) -> list[dict]:
    """The counted owners with their names, most actions first."""
    roles = Role.objects.in_bulk({row["role_id"] for row in counts} - {None})
    people = Person.objects.in_bulk({row["person_id"] for row in counts} - {None})
    rows = [
        {
            "role__abbrev": roles[row["role_id"]].abbrev if row["role_id"] else None,
            "person__name": people[row["person_id"]].name if row["person_id"] else None,
            "n": row["n"],
        }
        for row in counts
        if (row["role_id"] in roles) or (row["person_id"] in people)
    ]
    rows.sort(key=lambda row: (-row["n"], row["role__abbrev"] or "", row["person__name"] or ""))
    return rows[:limit]


class ActionExportView(RegisterReaderMixin, View):
    """The register's current filter as CSV or an Excel workbook.

    Up to ACTION_EXPORT_INLINE_MAX_ROWS actions the file is built within the request, whole;
    a larger one is built by the task queue and offered on the register when it is ready, so
    a download is never cut short by the server's time limit.
    """

    def get(self, request, fmt):
        today = timezone.localdate()
        filterset = ActionFilter(
            request.GET,
            queryset=Action.objects.for_register().most_overdue_first(today),
            request=request,
        )
        actions = filterset.qs if filterset.is_valid() else Action.objects.none()
        count = actions.count()
        if count > settings.ACTION_EXPORT_INLINE_MAX_ROWS:
            services.action_export_request(
                user=request.user, query=request.GET.urlencode(), fmt=fmt
            )
            messages.info(
                request,
                _(
                    "Your export of %(count)s actions is being prepared. It will be offered "
                    "on this page when it is ready: reload the page in a minute or two."
                )
                % {"count": number_format(count, force_grouping=True)},
            )
            query = request.GET.urlencode()
            return redirect(reverse("actions:action-list") + (f"?{query}" if query else ""))
        filename = f"actions-{today.isoformat()}.{fmt}"
        if fmt == "csv":
            out = io.StringIO()
            exports.write_csv(out, actions, today=today)
            response = HttpResponse(out.getvalue(), content_type=exports.CSV_CONTENT_TYPE)
        else:
            response = HttpResponse(content_type=exports.XLSX_CONTENT_TYPE)
            about = exports.about_rows(filterset=filterset, user=request.user)
            exports.write_xlsx(response, actions, today=today, about=about)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ActionExportDownloadView(RegisterReaderMixin, View):
    """A finished background export, for the user who asked for it (or staff)."""

    def get(self, request, pk):
        export = get_object_or_404(ActionExport, pk=pk, state=ActionExport.State.READY)
        if export.requested_by_id != request.user.pk and not request.user.is_staff:
            raise Http404
        path = services.action_export_path(export=export)
        if not path.exists():
            raise Http404
        content_type = (
            exports.CSV_CONTENT_TYPE
            if export.format == ActionExport.Format.CSV
            else exports.XLSX_CONTENT_TYPE
        )
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=export.download_name,
            content_type=content_type,
        )


class MyActionsView(RegisterPageMixin, LoginRequiredMixin, ListView):
    """A force lead's actions: those of the posts they hold today, or theirs in person."""

    template_name = "actions/action_mine.html"
    context_object_name = "actions"
    paginate_by = PAGE_SIZE

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and person_of(request.user) is None:
            raise PermissionDenied(
                _("Your account is not linked to a person in the record: ask the OPCC.")
            )
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        self.today = timezone.localdate()
        self.person = person_of(self.request.user)
        self.show = self.request.GET.get("show", "outstanding")
        actions = Action.objects.owned_by(self.person, on=self.today).for_register()
        if self.show != "all":
            actions = actions.filter(status__in=OUTSTANDING)
        self.query = self.request.GET.get("q", "").strip()[:200]
        actions = search_actions(actions, self.query, narrow=True)
        self.overdue_first_on = self.today
        return actions.most_overdue_first(self.today)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            today=self.today,
            person=self.person,
            posts=self.person.roles_on(self.today),
            show=self.show,
            query=self.query,
            overdue_count=self.object_list.overdue(self.today).count(),
        )
        return context


def visible_action(request, pk) -> Action:
    """The action if this user may see it: OPCC staff any, a force lead only their own."""
    actions = Action.objects.for_register()
    if can_read_register(request.user):
        return get_object_or_404(actions, pk=pk)
    person = person_of(request.user)
    if person is None:
        raise Http404
    return get_object_or_404(actions.owned_by(person, on=timezone.localdate()), pk=pk)


class ActionDetailView(LoginRequiredMixin, DetailView):
    """An action and its whole history; owners report progress, staff decide."""

    template_name = "actions/action_detail.html"
    context_object_name = "action"
    bound_form = None

    def get_object(self, queryset=None):
        return visible_action(self.request, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = self.object
        user = self.request.user
        manage = can_manage_actions(user)
        owner = self._owns(action)
        history = action.updates.select_related(
            "meeting__board", "reported_by", "created_by", "item"
        ).order_by("-reported_on", "-created_at", "-pk")
        context.update(
            history=history,
            can_manage=manage,
            can_report=(manage or owner) and action.can_report(),
            today=timezone.localdate(),
            see_also=action.see_also.select_related("board"),
            referenced_by=action.referenced_by.select_related("board"),
            **self._where_raised(action, user),
        )
        if can_read_register(user):
            context["audit"] = audit.entries(
                Action.history.filter(id=action.pk),
                ActionOwner.history.filter(action_id=action.pk),
                ActionUpdate.history.filter(action_id=action.pk),
            )
        form_classes = {"progress_form": forms.ProgressForm}
        if manage:
            form_classes.update(
                close_form=forms.CloseForm,
                reopen_form=forms.ReopenForm,
                withdraw_form=forms.WithdrawForm,
                reassign_form=forms.ReassignForm,
                due_form=forms.DueDateForm,
                link_form=forms.LinkForm,
            )
        for name, form_class in form_classes.items():
            bound = self.bound_form
            if bound is not None and isinstance(bound, form_class):
                context[name] = bound
            else:
                context[name] = form_class(action=action)
        return context

    @staticmethod
    def _where_raised(action, user) -> dict:
        """The meeting that raised the action, as this user may read it: the full record
        with the minute itself for staff, the published minutes for anyone else."""
        meeting, item = action.raised_at_meeting, action.raised_at_item
        if meeting is None:
            return {}
        if may_see_full_record(user):
            return {
                "raised_url": meeting.get_absolute_url(),
                "raised_minute": item,
                "raised_item": item,
            }
        # Anyone else sees the item's title only where the public may: in live published
        # minutes, and for an exempt item only where the board publishes exempt titles.
        private = {"raised_item": None, "raised_item_private": item is not None}
        if meeting.publications.live().exists():
            public_title = item is not None and (
                not item.is_exempt_in_effect() or meeting.board.public_exempt_titles
            )
            shown = {"raised_item": item} if public_title else private
            return {"raised_url": meeting.get_absolute_url(), **shown}
        return private

    def _owns(self, action) -> bool:
        person = person_of(self.request.user)
        return person is not None and (
            Action.objects.owned_by(person, on=timezone.localdate()).filter(pk=action.pk).exists()
        )


class _ActionFormView(ActionDetailView):
    """POST one form of the action page; on an error show the page again with what was typed."""

    form_class: type[forms._ActionForm]
    staff_only = True
    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        """The form lives on the action's page: someone sent here by signing in again (their
        session ended while they typed) goes back to it."""
        return redirect(self.get_object().get_absolute_url())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        allowed = can_manage_actions(request.user) or (
            not self.staff_only and self._owns(self.object)
        )
        if not allowed:
            raise PermissionDenied(_("Only the OPCC or the action's owners can do this."))
        form = self.form_class(request.POST, action=self.object)
        if form.is_valid():
            try:
                self.perform(form, request)
            except services.ActionConflict as exc:
                # Keep what was typed; the next submit is against the version now shown.
                form.data = form.data.copy()
                form.data["version"] = str(self.object.version)
                form.add_error(None, str(exc))
            except services.ActionError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect(self.object.get_absolute_url())
        self.bound_form = form
        context = self.get_context_data(object=self.object)
        return self.render_to_response(context, status=400)

    service = None  # the services function this form calls
    message = ""

    def arguments(self, form, request) -> dict:
        """The form's values, as the service takes them."""
        raise NotImplementedError

    def perform(self, form, request):
        type(self).service(
            action=self.object,
            by=request.user,
            on=timezone.localdate(),
            expected_version=form.cleaned_data["version"],
            **self.arguments(form, request),
        )
        messages.success(request, self.message % {"ref": self.object.ref})


class ActionProgressCreateView(_ActionFormView):
    form_class = forms.ProgressForm
    staff_only = False
    service = staticmethod(services.action_report_progress)
    message = _lazy("Your update on %(ref)s was added.")

    def arguments(self, form, request) -> dict:
        return {
            "text": form.cleaned_data["text"],
            "status": form.cleaned_data["status"],
            "person": person_of(request.user),
        }


class ActionCloseView(_ActionFormView):
    form_class = forms.CloseForm
    service = staticmethod(services.action_close)
    message = _lazy("%(ref)s is closed.")

    def arguments(self, form, request) -> dict:
        return {"note": form.cleaned_data["note"]}


class ActionReopenView(_ActionFormView):
    form_class = forms.ReopenForm
    service = staticmethod(services.action_reopen)
    message = _lazy("%(ref)s is reopened.")

    def arguments(self, form, request) -> dict:
        return {"reason": form.cleaned_data["reason"]}


class ActionWithdrawView(ActionReopenView):
    form_class = forms.WithdrawForm
    service = staticmethod(services.action_withdraw)
    message = _lazy("%(ref)s is withdrawn.")


class ActionReassignView(_ActionFormView):
    form_class = forms.ReassignForm
    service = staticmethod(services.action_reassign)
    message = _lazy("The owners of %(ref)s were changed.")

    def arguments(self, form, request) -> dict:
        return {"owners": form.owners()}


class ActionDueDateView(_ActionFormView):
    form_class = forms.DueDateForm
    service = staticmethod(services.action_set_due)
    message = _lazy("The due date of %(ref)s was set.")

    def arguments(self, form, request) -> dict:
        return {"due_on": form.cleaned_data["due_on"]}


class ActionLinkView(_ActionFormView):
    form_class = forms.LinkForm
    service = staticmethod(services.action_link)
    message = _lazy("%(ref)s now refers to another action.")

    def arguments(self, form, request) -> dict:
        return {"other": form.other}


class MeetingActionReviewView(RegisterReaderMixin, DetailView):
    """A meeting's action review: progress as at that meeting, and the actions it raised."""

    template_name = "actions/meeting_action_review.html"
    context_object_name = "meeting"

    def get_queryset(self):
        return Meeting.objects.select_related("board__body")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.object
        on = meeting.held_on
        history = Prefetch(
            "updates",
            queryset=ActionUpdate.objects.filter(reported_on__lte=on).order_by(
                "-reported_on", "-created_at", "-pk"
            ),
            to_attr="history_to_date",
        )
        reviewed = (
            Action.objects.filter(updates__meeting=meeting)
            .distinct()
            .for_register()
            .prefetch_related(history)
            .order_by("board__action_prefix", "number")
        )
        rows = []
        for action in reviewed:
            progress = [u for u in action.history_to_date if u.kind != "change"]
            at_meeting = [u for u in progress if u.meeting_id == meeting.pk]
            rows.append(
                {
                    "action": action,
                    "progress": at_meeting or progress[:1],
                    "status": ActionStatus(action.status_on(on, action.history_to_date)),
                }
            )
        context["reviewed"] = rows
        context["raised"] = (
            Action.objects.filter(raised_at_meeting=meeting)
            .for_register()
            .order_by("raised_at_item__position", "position", "number")
        )
        return context
