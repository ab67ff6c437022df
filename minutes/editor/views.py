"""The clerk's meeting editor: one meeting on one page, each section saved on its own."""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views import View
from django_otp import login as otp_login

from actions.models import (
    OUTSTANDING,
    Action,
    ActionOwner,
    ActionStatus,
    ActionUpdate,
    DueKind,
    UpdateKind,
)
from actions.services import (
    ActionConflict,
    action_create,
    action_delete,
    action_review_build,
    action_reviews_record_batch,
    action_reviews_remove_batch,
    action_reviews_update_batch,
    action_update,
)
from meetings.models import (
    AgendaItem,
    Attendance,
    BoardMembership,
    Departure,
    Meeting,
    Organisation,
    Paper,
    Person,
    Question,
    Role,
)
from meetings.reference import (
    board_membership_delete,
    board_membership_save,
    board_save,
    organisation_save,
    people_ensure,
    role_ensure,
)
from meetings.services import (
    RecordConflict,
    RecordError,
    attendance_fingerprint,
    departure_delete,
    departure_save,
    meeting_attendance_save,
    meeting_item_delete,
    meeting_item_move,
    meeting_item_save,
    meeting_items_renumber,
    meeting_update,
    paper_delete,
    paper_save,
    question_delete,
    question_save,
    reopened_minutes,
    section_fingerprint,
)
from minutes.editor import forms as editor_forms
from minutes.services import PaperError, paper_attach_pdf, paper_detach_pdf
from minutes.welsh import untranslated
from scrutiny.limits import as_id
from scrutiny.two_factor import SignInForm


@dataclass
class Lists:
    """What the editor's choices are made of, loaded once per request."""

    meeting: Meeting
    roles: list[Role]
    people: list[Person]
    organisations: list[Organisation]
    items: list[AgendaItem]
    attendance: list[Attendance]
    roles_by_abbrev: dict = field(default_factory=dict)
    roles_by_pk: dict = field(default_factory=dict)
    people_by_pk: dict = field(default_factory=dict)
    attendee_roles: list[Role] = field(default_factory=list)
    welsh: bool = False  # a Welsh body: the forms take the Welsh twin beside each printed text

    @classmethod
    def load(cls, meeting: Meeting) -> "Lists":
        body = meeting.board.body
        lists = cls(
            meeting=meeting,
            roles=list(Role.objects.filter(body=body).order_by("abbrev")),
            people=list(Person.objects.filter(body=body).order_by("name")),
            organisations=list(
                Organisation.objects.filter(pk=body.pk)
                | Organisation.objects.filter(parent=body).order_by("name")
            ),
            items=list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk")),
            attendance=list(
                meeting.attendance.select_related("person", "role", "organisation").order_by(
                    "position", "pk"
                )
            ),
        )
        lists.items = tree_order(lists.items)
        lists.welsh = body.welsh
        lists.roles_by_abbrev = {role.abbrev.casefold(): role for role in lists.roles}
        lists.roles_by_pk = {role.pk: role for role in lists.roles}
        lists.people_by_pk = {person.pk: person for person in lists.people}
        seen = {}
        for row in lists.attendance:
            if row.role_id and row.role_id not in seen:
                seen[row.role_id] = row.role
        lists.attendee_roles = list(seen.values())
        return lists


def tree_order(items: list[AgendaItem]) -> list[AgendaItem]:
    """Items as the agenda prints them: each followed by its sub-items."""
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    ordered: list[AgendaItem] = []

    def walk(parent_id):
        for item in children.get(parent_id, []):
            ordered.append(item)
            walk(item.pk)

    walk(None)
    return ordered


def _saved_message() -> str:
    return _("Saved at %(time)s.") % {"time": time_format(timezone.localtime(), "H:i")}


class EditorView(View):
    """Staff with the right to change meetings, signed in as the secretariat site requires
    (two-factor when it is on). An htmx request from an expired session gets 401, so the page can
    ask for the password in place and keep what was typed."""

    template_name = ""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not admin.site.has_permission(request):  # active staff, verified when required
            if user.is_authenticated and not user.is_staff:
                raise PermissionDenied
            if request.htmx:
                return HttpResponse(status=401)
            return redirect_to_login(request.get_full_path(), "admin:login")
        if not user.has_perm("meetings.change_meeting"):
            raise PermissionDenied
        self.meeting = get_object_or_404(
            Meeting.objects.select_related("board__body"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def lists(self) -> Lists:
        return Lists.load(self.meeting)

    def render(self, template, context, status=200):
        context = {"meeting": self.meeting, **context}
        return TemplateResponse(self.request, f"minutes/editor/{template}", context, status=status)


def _initial_from(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


def _differences(form, current) -> list[dict]:
    """The fields where the saved record differs from what the user typed, both shown."""
    rows = []
    for name in form.fields_saved:
        theirs = getattr(current, name)
        yours = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
        if theirs != yours and (theirs or yours):
            rows.append({"label": form.fields[name].label, "theirs": theirs, "yours": yours})
    return rows


def meeting_form(form_class, meeting: Meeting, lists: Lists, *, prefix: str):
    initial = {**_initial_from(meeting, form_class.fields_saved), "lock_version": meeting.version}
    return form_class(initial=initial, prefix=prefix, lists=lists)


class MeetingSectionView(EditorView):
    """Details and next meeting: two sections of the meeting's own row, sharing its version."""

    sections = {
        "details": (editor_forms.DetailsForm, "_details.html"),
        "next": (editor_forms.NextMeetingForm, "_next.html"),
    }

    def post(self, request, pk, section):
        form_class, template = self.sections[section]
        lists = self.lists()
        form = form_class(request.POST, prefix=section, lists=lists)
        if not form.is_valid():
            return self.render(template, {"form": form, "lists": lists}, status=422)
        for name in form.fields_saved:
            value = form.cleaned_data[name]
            value = value.strip() if isinstance(value, str) else value
            setattr(self.meeting, name, value)
        try:
            self.meeting.validate_constraints()
            self.meeting.validate_unique()
            self.meeting = meeting_update(
                meeting=self.meeting,
                by=request.user,
                expected_version=form.cleaned_data["lock_version"],
            )
        except RecordConflict:
            current = Meeting.objects.get(pk=self.meeting.pk)
            data = request.POST.copy()
            data[form.add_prefix("lock_version")] = current.version
            context = {
                "form": form_class(data, prefix=section, lists=lists),
                "lists": lists,
                "conflict": _differences(form, current),
            }
            return self.render(template, context, status=409)
        except (ValidationError, RecordError) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            form.add_error(None, messages)
            return self.render(template, {"form": form, "lists": lists}, status=422)
        fresh = meeting_form(form_class, self.meeting, lists, prefix=section)
        return self.render(template, {"form": fresh, "lists": lists, "saved": _saved_message()})


def attendance_initial(meeting: Meeting, lists: Lists) -> list[dict]:
    """The grid's rows: the meeting's attendance, or, before any is entered, the board's
    members on the day, else the previous meeting's attendance, each marked present."""
    if lists.attendance:
        return [
            {
                "pk": row.pk,
                "person": row.person_id,
                "name": row.person.name,
                "role": row.role,
                "organisation": row.organisation_id,
                "status": row.status,
                "arrival_time": row.arrival_time,
                "departure_time": row.departure_time,
                "note": row.note,
            }
            for row in lists.attendance
        ]
    members = (
        BoardMembership.objects.current(meeting.held_on)
        .filter(board=meeting.board)
        .select_related("person", "role")
    )
    if not members:
        previous = (
            Meeting.objects.filter(board=meeting.board, held_on__lt=meeting.held_on)
            .order_by("-held_on")
            .first()
        )
        if previous is None:
            return []
        members = previous.attendance.select_related("person", "role").order_by("position", "pk")
    return [
        {
            "person": row.person_id,
            "name": row.person.name,
            "role": row.role,
            "organisation": row.organisation_id,
            "status": Attendance.Status.PRESENT,
        }
        for row in members
    ]


class AttendanceView(EditorView):
    def post(self, request, pk):
        lists = self.lists()
        formset = editor_forms.AttendanceFormSet(request.POST, prefix="att", lists=lists)
        context = {
            "formset": formset,
            "lists": lists,
            "fingerprint": request.POST.get("fingerprint"),
        }
        if not formset.is_valid():
            return self.render("_attendance.html", context, status=422)
        rows = [
            {**form.cleaned_data, "pk": form.cleaned_data.get("pk")}
            for form in formset.forms
            if form.cleaned_data
            and not form.cleaned_data.get("remove")
            and not form.cleaned_data.get("blank")
        ]
        try:
            meeting_attendance_save(
                meeting=self.meeting,
                rows=rows,
                expected_fingerprint=request.POST.get("fingerprint"),
                by=request.user,
            )
        except RecordConflict:
            context["conflict_rows"] = list(
                self.meeting.attendance.select_related("person", "role").order_by("position")
            )
            context["fingerprint"] = attendance_fingerprint(self.meeting)
            return self.render("_attendance.html", context, status=409)
        except RecordError as error:
            formset._non_form_errors = formset.error_class([str(error)])
            return self.render("_attendance.html", context, status=422)
        return self.render("_attendance.html", attendance_context(self.meeting, saved=True))


def attendance_context(meeting: Meeting, *, saved=False) -> dict:
    lists = Lists.load(meeting)
    formset = editor_forms.AttendanceFormSet(
        prefix="att", initial=attendance_initial(meeting, lists), lists=lists
    )
    return {
        "formset": formset,
        "lists": lists,
        "fingerprint": attendance_fingerprint(meeting),
        "prefilled": not lists.attendance and bool(formset.initial),
        "saved": _saved_message() if saved else "",
    }


# The agenda ---------------------------------------------------------------------------------


# What is entered under an item with it: (node key, model, formset, prefix suffix, services).
ITEM_CHILDREN = (
    ("questions", Question, editor_forms.QuestionFormSet, "q", question_save, question_delete),
    ("papers", Paper, editor_forms.PaperFormSet, "p", paper_save, paper_delete),
    ("departures", Departure, editor_forms.DepartureFormSet, "d", departure_save, departure_delete),
)


def item_forms(item: AgendaItem, lists: Lists, children: dict[str, list], data=None, files=None):
    """The item's own form and a formset for each kind of record under it. A post without a
    kind's formset (an older page) leaves that kind as it is."""
    initial = {
        **_initial_from(item, editor_forms.ItemForm.fields_saved),
        "lock_version": item.version,
    }
    prefix = f"item{item.pk}"
    form = editor_forms.ItemForm(data, initial=initial, prefix=prefix, lists=lists)
    formsets = {}
    for key, _model, formset_class, suffix, _save, _delete in ITEM_CHILDREN:
        rows = children.get(key, [])
        child_prefix = f"{prefix}{suffix}"
        bound = data if data is not None and f"{child_prefix}-TOTAL_FORMS" in data else None
        child_initial = [
            {"pk": row.pk, **_initial_from(row, formset_class.form.fields_saved)} for row in rows
        ]
        formsets[key] = formset_class(
            bound, files if bound else None, initial=child_initial, prefix=child_prefix, lists=lists
        )
        saved = {row.pk: row for row in rows}
        for child_form in formsets[key].forms:
            pk = child_form["pk"].value() if "pk" in child_form.fields else None
            child_form.saved_row = saved.get(as_id(str(pk or "")))
    return form, formsets


def item_children(items) -> dict[int, dict[str, list]]:
    """The questions, papers and departures of the given items, one query a kind."""
    children: dict[int, dict[str, list]] = {}
    for key, model, *_rest in ITEM_CHILDREN:
        rows = model.objects.filter(item__in=items).order_by("position", "pk")
        if model is Paper:  # with what the editor shows of its PDF (not the PDF itself)
            rows = rows.select_related("file").defer("file__pdf")
        for row in rows:
            children.setdefault(row.item_id, {}).setdefault(key, []).append(row)
    return children


def _save_item_children(item, formsets, children, *, by) -> None:
    """Add, change or delete (an emptied row) each record under the item, through its service."""
    for key, model, _formset, _suffix, save, delete in ITEM_CHILDREN:
        formset = formsets[key]
        if not formset.is_bound:
            continue
        by_pk = {row.pk: row for row in children.get(key, [])}
        position = len(by_pk)
        for child_form in formset.forms:
            data = child_form.cleaned_data
            if not data:
                continue
            row = by_pk.get(data.get("pk"))
            empty = not (data[child_form.text_field] or "").strip()
            if row is not None and empty:
                delete(**{model._meta.model_name: row}, by=by)
                continue
            if row is None:
                if empty:
                    continue
                row = model(item=item, position=position)
                position += 1
            for name in child_form.fields_saved:
                value = data[name]
                setattr(row, name, value.strip() if isinstance(value, str) else value)
            save(**{model._meta.model_name: row}, by=by)
            if data.get("upload"):  # a paper's PDF, checked again by the service that stores it
                paper_attach_pdf(paper=row, data=data["upload"].read(), by=by)
            elif data.get("remove_file") and row.file_id:
                paper_detach_pdf(paper=row, by=by)


def agenda_tree(meeting: Meeting, lists: Lists) -> list[dict]:
    """The items as a tree, each with its forms, questions, papers, departures and raised
    actions."""
    children = item_children(lists.items)
    actions: dict[int, list[Action]] = {}
    raised = (
        Action.objects.filter(raised_at_meeting=meeting)
        .select_related("board")
        .prefetch_related(
            Prefetch("owners", queryset=ActionOwner.objects.select_related("role", "person"))
        )
        .order_by("position", "number")
    )
    for action in raised:
        actions.setdefault(action.raised_at_item_id, []).append(action)
    nodes = {}
    for item in lists.items:
        form, formsets = item_forms(item, lists, children.get(item.pk, {}))
        nodes[item.pk] = {
            "item": item,
            "form": form,
            **formsets,
            "actions": actions.get(item.pk, []),
            "raise_form": editor_forms.RaiseActionForm(prefix=f"raise{item.pk}", lists=lists),
            "children": [],
        }
    roots = []
    for item in lists.items:
        node = nodes[item.pk]
        parent = nodes.get(item.parent_id)
        (parent["children"] if parent else roots).append(node)
    list(_walk(roots, 0))
    return roots


def _walk(nodes, depth):
    for index, node in enumerate(nodes):
        node["depth"] = depth
        node["first"] = index == 0
        node["last"] = index == len(nodes) - 1
        yield node
        yield from _walk(node["children"], depth + 1)


def agenda_context(meeting: Meeting, lists: Lists | None = None, **extra) -> dict:
    lists = lists or Lists.load(meeting)
    return {"tree": agenda_tree(meeting, lists), "lists": lists, **extra}


class ItemSaveView(EditorView):
    """Save one item's own fields and its questions, papers and departures; its sub-items keep
    what is typed in them."""

    def post(self, request, pk, item_pk):
        item = get_object_or_404(AgendaItem, pk=item_pk, meeting=self.meeting)
        lists = self.lists()
        children = item_children([item]).get(item.pk, {})
        form, formsets = item_forms(item, lists, children, data=request.POST, files=request.FILES)
        context = {"node": {"item": item, "form": form, **formsets}, "lists": lists}
        if not (form.is_valid() and all(f.is_valid() for f in formsets.values() if f.is_bound)):
            return self.render("_item_own.html", context, status=422)
        for name in form.fields_saved:
            setattr(item, name, form.cleaned_data[name])
        try:
            with transaction.atomic():
                item = meeting_item_save(
                    item=item, by=request.user, expected_version=form.cleaned_data["lock_version"]
                )
                _save_item_children(item, formsets, children, by=request.user)
        except RecordConflict:
            current = AgendaItem.objects.get(pk=item.pk)
            data = request.POST.copy()
            data[form.add_prefix("lock_version")] = current.version
            form2, formsets2 = item_forms(current, lists, children, data=data)
            form2.is_valid()
            context["node"] = {"item": current, "form": form2, **formsets2}
            context["conflict"] = _differences(form, current)
            return self.render("_item_own.html", context, status=409)
        except (RecordError, ValidationError, PaperError) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            form.add_error(None, messages)
            return self.render("_item_own.html", context, status=422)
        item = AgendaItem.objects.get(pk=item.pk)
        form, formsets = item_forms(item, lists, item_children([item]).get(item.pk, {}))
        context = {
            "node": {"item": item, "form": form, **formsets},
            "lists": lists,
            "saved": _saved_message(),
        }
        return self.render("_item_own.html", context)


class AgendaChangeView(EditorView):
    """Add, move, delete and renumber items; the agenda section comes back whole."""

    def post(self, request, pk, op, item_pk=None):
        item = None
        if item_pk is not None:
            item = get_object_or_404(AgendaItem, pk=item_pk, meeting=self.meeting)
        if op == "move":
            op = request.POST.get("op", "")
        if item is None and op not in ("add", "renumber"):
            raise Http404
        error, focus = "", ""
        try:
            if op == "add":
                title = request.POST.get("title", "").strip() or _("New item")
                last = (
                    AgendaItem.objects.filter(meeting=self.meeting, parent=item)
                    .order_by("-position")
                    .first()
                )
                new = AgendaItem(
                    meeting=self.meeting,
                    parent=item,
                    title=title[:500],
                    position=last.position + 1 if last else 0,
                )
                meeting_item_save(item=new, by=request.user)
                focus = f"id_item{new.pk}-title"
            elif op in ("up", "down", "in", "out"):
                # A drag moves an item several places among its siblings at once.
                steps = request.POST.get("steps", "") if op in ("up", "down") else ""
                steps = min(as_id(steps) or 1, 200)
                with transaction.atomic():
                    for _step in range(steps):
                        meeting_item_move(item=item, direction=op, by=request.user)
                focus = f"move-{op}-{item.pk}"
            elif op == "delete":
                meeting_item_delete(item=item, by=request.user)
                focus = "agenda-heading"
            elif op == "renumber":
                meeting_items_renumber(meeting=self.meeting, by=request.user)
                focus = "renumber"
            else:
                raise PermissionDenied
        except RecordError as exc:
            error = str(exc)
        context = agenda_context(self.meeting, error=error, focus=focus)
        return self.render("_agenda.html", context, status=422 if error else 200)


class RaiseActionView(EditorView):
    def get(self, request, pk, item_pk):
        """The form to raise an action, with the posts of the attendance as saved now."""
        item = get_object_or_404(AgendaItem, pk=item_pk, meeting=self.meeting)
        form = editor_forms.RaiseActionForm(prefix=f"raise{item.pk}", lists=self.lists())
        # Fetched to offer a draft back when the page opens: the focus stays where it is.
        autofocus = "draft" not in request.GET
        context = {"item": item, "form": form, "raise_url": request.path, "autofocus": autofocus}
        return self.render("_raise_form.html", context)

    def post(self, request, pk, item_pk):
        item = get_object_or_404(AgendaItem, pk=item_pk, meeting=self.meeting)
        lists = self.lists()
        form = editor_forms.RaiseActionForm(request.POST, prefix=f"raise{item.pk}", lists=lists)
        status, saved = 422, ""
        if form.is_valid():
            try:
                action = action_create(
                    board=self.meeting.board,
                    text=form.cleaned_data["text"].strip(),
                    owners=form.cleaned_data["owner_list"],
                    raised_at=self.meeting,
                    item=item,
                    by=request.user,
                    due_on=form.cleaned_data["due_on"],
                    due_kind=form.cleaned_data["due_kind"],
                    owned_by_body=form.cleaned_data["owned_by_body"],
                    position=item.actions.count(),
                    paragraph=form.cleaned_data["paragraph"],
                    text_cy=form.cleaned_data.get("text_cy", "").strip(),
                    number=form.cleaned_data["ref"][0],
                    legacy_ref=form.cleaned_data["ref"][1],
                    status=form.cleaned_data["status"],
                )
                status, saved = 200, _("%(ref)s raised.") % {"ref": action.ref}
                form = editor_forms.RaiseActionForm(prefix=f"raise{item.pk}", lists=lists)
            except RecordError as exc:
                form.add_error(None, str(exc))
        # After raising, the form stays open for the item's next action, focus in its text.
        context = item_actions_context(
            item, lists, raise_form=form, saved=saved, raise_open=True, autofocus=True
        )
        return self.render("_actions.html", context, status=status)


def item_actions_context(item: AgendaItem, lists: Lists, **extra) -> dict:
    """The fragment of the actions raised under an item, with the form to raise another."""
    actions = list(
        item.actions.select_related("board")
        .prefetch_related(
            Prefetch("owners", queryset=ActionOwner.objects.select_related("role", "person"))
        )
        .order_by("position", "number")
    )
    raise_form = extra.pop("raise_form", None) or editor_forms.RaiseActionForm(
        prefix=f"raise{item.pk}", lists=lists
    )
    return {"node": {"item": item, "actions": actions, "raise_form": raise_form}, **extra}


def _reopened_note(reopened) -> str:
    if not reopened:
        return ""
    return _(
        "This change is printed in approved minutes, so their approval was reopened: "
        "%(meetings)s are a draft again and need approving again."
    ) % {"meetings": ", ".join(str(meeting) for meeting in reopened)}


class ActionEditView(EditorView):
    """Change or delete an action raised at this meeting, in place under its item."""

    def action(self, action_pk) -> Action:
        return get_object_or_404(
            Action.objects.select_related("board", "raised_at_item"),
            pk=action_pk,
            raised_at_meeting=self.meeting,
        )

    def form(self, action, lists, data=None):
        links = ", ".join(a.ref for a in action.see_also.select_related("board").order_by("number"))
        initial = {
            "text": action.text,
            "text_cy": action.text_cy,
            "due_kind": action.due_kind,
            "due_on": action.due_on,
            "owned_by_body": action.owned_by_body,
            "paragraph": action.paragraph,
            "owners": editor_forms.owners_as_text(
                o.role or o.person for o in action.owners.select_related("role", "person")
            ),
            "links": links,
            "status": action.initial_status,
            "ref": action.legacy_ref,
            "lock_version": action.version,
        }
        return editor_forms.EditActionForm(
            data, initial=initial, prefix=f"action{action.pk}", lists=lists, action=action
        )

    def render_form(self, action, form, status=200, **extra):
        context = {
            "action": action,
            "form": form,
            "approved": self.meeting.status != Meeting.Status.DRAFT,
            **extra,
        }
        return self.render("_action_edit.html", context, status=status)

    def get(self, request, pk, action_pk):
        action = self.action(action_pk)
        if "cancel" in request.GET:
            return self.render("_action.html", {"action": action})
        return self.render_form(action, self.form(action, self.lists()))

    def post(self, request, pk, action_pk):
        action = self.action(action_pk)
        item, lists = action.raised_at_item, self.lists()
        if request.POST.get("delete"):
            try:
                with reopened_minutes() as reopened:
                    action_delete(action=action, by=request.user)
            except RecordError as error:
                context = item_actions_context(item, lists, error=str(error))
                return self.render("_actions.html", context, status=422)
            saved = _("%(ref)s deleted.") % {"ref": action.ref}
            context = item_actions_context(item, lists, saved=saved)
            context["reopened"] = _reopened_note(reopened)
            return self.render("_actions.html", context)
        form = self.form(action, lists, data=request.POST)
        if not form.is_valid():
            return self.render_form(action, form, status=422)
        data = form.cleaned_data
        action.text = data["text"].strip()
        if "text_cy" in data:  # the Welsh twin only where the form has it (a Welsh body's)
            action.text_cy = data["text_cy"].strip()
        action.due_kind, action.due_on = data["due_kind"], data["due_on"]
        if action.due_kind == DueKind.NEXT_MEETING and action.due_on is None:
            action.due_on = self.meeting.next_meeting_on
        action.owned_by_body = data["owned_by_body"]
        action.paragraph = data["paragraph"]
        action.legacy_ref = data["ref"][1]
        try:
            with reopened_minutes() as reopened:
                action_update(
                    action=action,
                    by=request.user,
                    owners=data["owner_list"],
                    see_also=data["link_list"],
                    expected_version=data["lock_version"],
                    raised_status=data["status"],
                )
        except ActionConflict as error:
            current = Action.objects.get(pk=action.pk)
            fresh = request.POST.copy()
            fresh[form.add_prefix("lock_version")] = current.version
            form = self.form(current, lists, data=fresh)
            form.is_valid()
            form.add_error(None, str(error))
            return self.render_form(current, form, status=409, theirs=current)
        except RecordError as error:
            form.add_error(None, str(error))
            return self.render_form(action, form, status=422)
        context = item_actions_context(
            item,
            lists,
            saved=_("%(ref)s saved.") % {"ref": action.ref},
            focus=f"change-action-{action.pk}",
        )
        context["reopened"] = _reopened_note(reopened)
        return self.render("_actions.html", context)


# The review of earlier actions ----------------------------------------------------------------


def review_rows(meeting: Meeting, *, only: list[int] | None = None):
    """Every outstanding action of the board raised before this meeting (and any this meeting
    already reviewed), with its latest progress and what this meeting minuted; with `only`,
    the actions of the list with those ids alone (the rows a save posted)."""
    here = {
        update.action_id: update
        for update in ActionUpdate.objects.filter(
            meeting=meeting, kind=UpdateKind.PROGRESS
        ).select_related("item")
    }
    listed = _reviewed(meeting, here)
    if only is not None:
        listed = listed.filter(pk__in=only)
    # What a row shows and a row's form needs, and no more: at 120,000 actions a board has
    # hundreds of outstanding actions, and a prefetch of their owners alone cost more than
    # the rest of the review (a queryset made for each action).
    listed = listed.for_register().select_related(None).prefetch_related(None)
    if only is None:  # the whole list, read only (the services save whole actions)
        listed = listed.only(*REVIEW_FIELDS)
    actions = list(listed.order_by("number"))
    labels: dict[int, list[str]] = {}
    owners = ActionOwner.objects.filter(action__in=[action.pk for action in actions])
    owners = owners.order_by("action_id", "position", "pk")
    for action_id, abbrev, name in owners.values_list("action_id", "role__abbrev", "person__name"):
        labels.setdefault(action_id, []).append(abbrev or name)
    for action in actions:
        action.board = meeting.board  # one board: its prefix and body already loaded
        action.owner_labels = labels.get(action.pk, [])
    return actions, here


# The fields of an action the review's rows use.
REVIEW_FIELDS = (
    "board_id",
    "number",
    "text",
    "status",
    "due_on",
    "due_kind",
    "owned_by_body",
    "carried_forward",
    "raised_on",
    "raised_at_meeting_id",
)


def _reviewed(meeting: Meeting, here):
    """The outstanding actions of the board raised before the meeting, and those it reviewed."""
    earlier = (
        Q(status__in=OUTSTANDING)
        & ~Q(raised_at_meeting=meeting)
        & ~Q(raised_at_meeting__held_on__gte=meeting.held_on)
    )
    return Action.objects.filter(board=meeting.board).filter(earlier | Q(pk__in=list(here)))


def review_fingerprint(here) -> str:
    return section_fingerprint(
        sorted(
            (u.pk, u.text, u.text_cy, u.status, u.item_id, u.summary, u.summary_cy)
            + (u.printed_owners,)
            + (u.printed_due_on, u.printed_raised_on)
            for u in here.values()
        )
    )


STARTED = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)

# At most this many rows in one save of the review (a clerk opens a few dozen at most).
REVIEW_ROWS_POSTED = 500
POSTED_ROW = re.compile(r"rev-(\d{1,12})-action")


def printed_defaults(action: Action) -> dict:
    """What the minutes print of a carried-forward action unless the clerk types otherwise: the
    action as the register has it (the meeting that raised it is not here to say). The action
    as `review_rows` loads it, with its owners' labels."""
    if not action.carried_forward:
        return {}
    return {
        "summary": action.text,
        "printed_owners": ", ".join(action.owner_labels),
        "printed_due_on": action.due_on if action.due_kind == DueKind.DATE else None,
        "printed_raised_on": action.raised_on,
    }


def review_initial(action: Action, here, lists: Lists) -> dict:
    update = here.get(action.pk)
    if update is None:
        # Not reviewed here yet: progress typed against it means it is in progress, under the
        # item that reviews its meeting's actions, printed as the register has it.
        return {
            "action": action.pk,
            "status": ActionStatus.IN_PROGRESS if action.status in STARTED else "",
            "item": editor_forms.default_review_item(lists.items, action.raised_sort_on),
            **printed_defaults(action),
        }
    return {
        "action": action.pk,
        "text": update.text,
        "text_cy": update.text_cy,
        "status": update.status,
        "item": update.item,
        "summary": update.summary,
        "summary_cy": update.summary_cy,
        "printed_owners": ", ".join(update.printed_owners),
        "printed_due_on": update.printed_due_on,
        "printed_raised_on": update.printed_raised_on,
    }


def review_form(action: Action, here, lists: Lists, data=None) -> editor_forms.ReviewRowForm:
    """The form of one row of the review, fetched when the clerk opens the row (or bound to
    what a save posted of it)."""
    form = editor_forms.ReviewRowForm(
        data,
        initial=review_initial(action, here, lists),
        prefix=f"rev-{action.pk}",
        lists=lists,
    )
    if action.pk not in here:
        form.printed_defaults = printed_defaults(action)
        form.auto_item = data is None  # "minuted under" follows the agenda until chosen
    return form


def posted_review_ids(data) -> list[int]:
    """The actions whose rows a save posted (the rows the clerk opened), in the order posted."""
    ids = []
    for key in data:
        match = POSTED_ROW.fullmatch(key)
        if match and int(match[1]) not in ids:
            ids.append(int(match[1]))
    return ids[:REVIEW_ROWS_POSTED]


def review_row_url(meeting: Meeting) -> str:
    """The address of a row's form, with 0 standing for the action (see rows.review_row_html)."""
    return reverse("editor:review-row", kwargs={"pk": meeting.pk, "action_pk": 0})


def review_context(
    meeting: Meeting,
    lists: Lists | None = None,
    *,
    forms: dict | None = None,
    saved=False,
    only: list[int] | None = None,
):
    """The review's rows: each a short read-only row (`rows.review_row_html`), except those
    with a form in `forms` ({action id: its row's form}, what a refused save sends back); with
    `only`, the rows of those actions alone (what a save sends back)."""
    lists = lists or Lists.load(meeting)
    forms = forms or {}
    actions, here = review_rows(meeting, only=only)
    url = review_row_url(meeting)
    rows = []
    for action in actions:
        form = forms.get(action.pk)
        if form is not None:
            rows.append({"action": action, "form": form, "reviewed_here": action.pk in here})
        else:
            rows.append({"action": action, "update": here.get(action.pk), "url": url})
    return {
        "rows": rows,
        "here": here,
        "lists": lists,
        "fingerprint": review_fingerprint(here),
        "saved": _saved_message() if saved else "",
    }


class ReviewRowView(EditorView):
    """One row's form, fetched when the clerk records progress against its action."""

    def get(self, request, pk, action_pk):
        actions, here = review_rows(self.meeting, only=[action_pk])
        if not actions:
            raise Http404
        action = actions[0]
        form = review_form(action, here, self.lists())
        row = {"action": action, "form": form, "reviewed_here": action.pk in here}
        # Fetched to offer a draft back when the page opens: the focus stays where it is.
        focus = "" if "draft" in request.GET else form["text"].id_for_label
        return self.render("_review_row.html", {"row": row, "focus": focus})


class ReviewView(EditorView):
    """Save the rows the clerk opened: only they are posted, checked and written."""

    def post(self, request, pk):
        lists = self.lists()
        posted = posted_review_ids(request.POST)
        actions, here = review_rows(self.meeting, only=posted)
        forms = {a.pk: review_form(a, here, lists, data=request.POST) for a in actions}
        valid = all([form.is_valid() for form in forms.values()])  # every row's errors shown

        def whole(status, **extra):
            context = review_context(self.meeting, lists, forms=forms)
            context |= {"fingerprint": request.POST.get("fingerprint", ""), **extra}
            return self.render("_review.html", context, status=status)

        if "fingerprint" not in request.POST:  # not sent by the page
            return whole(422, errors=[_("The review was sent incomplete: nothing was saved.")])
        gone = Action.objects.filter(pk__in=[pk for pk in posted if pk not in forms])
        gone = list(gone.filter(board=self.meeting.board).select_related("board"))
        if gone:  # no longer outstanding (closed elsewhere meanwhile)
            error = _(
                "%(refs)s can no longer be reviewed here (no longer outstanding): nothing was "
                "saved. Your text is kept in this browser's draft."
            ) % {"refs": ", ".join(sorted(a.ref for a in gone))}
            return whole(409, errors=[error])
        if not valid:
            return whole(422)
        if review_fingerprint(here) != request.POST.get("fingerprint"):
            return whole(
                409, conflict_rows=list(here.values()), fingerprint=review_fingerprint(here)
            )
        by_pk = {action.pk: action for action in actions}
        try:
            with transaction.atomic():
                self.save_rows(forms.values(), by_pk, here)
        except RecordError as error:
            return whole(422, errors=[str(error)])
        self.meeting.refresh_from_db(fields=["version", "status"])
        # The rows posted come back closed (swapped in place), with the status and fingerprint.
        fresh = review_context(self.meeting, lists, saved=True, only=list(by_pk))
        if len(fresh["rows"]) != len(by_pk):
            # A row left the list (its progress removed, no longer outstanding): all of it
            # comes back.
            return self.render("_review.html", review_context(self.meeting, lists, saved=True))
        response = self.render("_review_saved.html", fresh)
        response["HX-Retarget"] = "#review-status"
        response["HX-Reswap"] = "outerHTML"
        return response

    def save_rows(self, forms, by_pk, here) -> set[int]:
        """Minute, change or remove (emptied progress) this meeting's review of each action;
        the actions whose review changed."""
        by, changed, new, updated, removed = self.request.user, set(), [], [], []
        for form in forms:
            data = form.cleaned_data
            action = by_pk.get(data["action"])
            if action is None:
                continue
            review, text = here.get(action.pk), data["text"].strip()
            wanted = {
                "text": text,
                "status": data["status"],
                "item": data["item"],
                "summary": data["summary"].strip(),
                "printed_owners": data["printed_owners"],
                "printed_due_on": data["printed_due_on"],
                "printed_raised_on": data["printed_raised_on"],
            }
            for name in ("text_cy", "summary_cy"):  # only where the form has them (a Welsh body's)
                if name in data:
                    wanted[name] = data[name].strip()
            if review is None and text:
                new.append(action_review_build(action=action, meeting=self.meeting, **wanted))
            elif review is not None and not text:
                removed.append(review)
            elif review is not None and any(
                getattr(review, name) != value for name, value in wanted.items()
            ):
                for name, value in wanted.items():
                    setattr(review, name, value)
                updated.append(review)
            else:
                continue
            changed.add(action.pk)
        # Removed, changed and new progress each go in together: one statement each, with the
        # history rows, the statuses worked out in one query.
        action_reviews_remove_batch(reviews=removed, by=by)
        action_reviews_update_batch(reviews=updated, by=by)
        action_reviews_record_batch(reviews=new, by=by)
        return changed


# The posts and people the minutes name ----------------------------------------------------------


def named_context(meeting: Meeting, **extra) -> dict:
    """The section's summary: what the minutes name besides the attendance and the owners."""
    return {
        "named_roles": list(meeting.named_roles.order_by("abbrev")),
        "named_people": list(meeting.named_people.order_by("name")),
        **extra,
    }


class NamedView(EditorView):
    """The posts and people the minutes name (and a post new to the body): a rarely used form,
    fetched when the clerk asks for it."""

    def form(self, lists, data=None):
        meeting = self.meeting
        initial = {
            "roles": ", ".join(r.abbrev for r in meeting.named_roles.order_by("abbrev")),
            "people": "\n".join(p.name for p in meeting.named_people.order_by("name")),
            "lock_version": meeting.version,
        }
        return editor_forms.NamedForm(data, initial=initial, prefix="named", lists=lists)

    def get(self, request, pk):
        if "cancel" in request.GET:
            return self.render("_named.html", named_context(self.meeting, focus="named-change"))
        form = self.form(self.lists())
        return self.render("_named.html", {"form": form, "focus": form["roles"].auto_id})

    def post(self, request, pk):
        lists = self.lists()
        form = self.form(lists, data=request.POST)
        if not form.is_valid():
            return self.render("_named.html", {"form": form}, status=422)
        data, body, user = form.cleaned_data, self.meeting.board.body, request.user
        try:
            with transaction.atomic():
                roles = dict(lists.roles_by_abbrev)
                if data["new_abbrev"].strip():
                    role = role_ensure(
                        body=body,
                        abbrev=data["new_abbrev"].strip(),
                        title=data["new_title"].strip(),
                        organisation=data["new_organisation"],
                    )
                    roles[role.abbrev.casefold()] = role
                people = people_ensure(
                    body=body, people=[(name, None) for name in data["people_list"]], by=user
                )
                self.meeting = meeting_update(
                    meeting=self.meeting,
                    by=user,
                    named_roles=[
                        r if isinstance(r, Role) else roles[r.casefold()] for r in data["role_list"]
                    ],
                    named_people=[people[name] for name in data["people_list"]],
                    expected_version=data["lock_version"],
                )
        except RecordConflict as error:
            current = Meeting.objects.get(pk=self.meeting.pk)
            fresh = request.POST.copy()
            fresh[form.add_prefix("lock_version")] = current.version
            form = editor_forms.NamedForm(fresh, prefix="named", lists=lists)
            form.is_valid()
            form.add_error(None, str(error))
            return self.render("_named.html", {"form": form}, status=409)
        except RecordError as error:
            form.add_error(None, str(error))
            return self.render("_named.html", {"form": form}, status=422)
        context = named_context(
            self.meeting,
            saved=_saved_message(),
            focus="named-change",
            lists=Lists.load(self.meeting),
        )
        return self.render("_named.html", context)


# The board's settings and members -----------------------------------------------------------------

MEMBER_PERMS = (
    "meetings.add_boardmembership",
    "meetings.change_boardmembership",
    "meetings.delete_boardmembership",
)


def board_rights(user) -> dict[str, bool]:
    """What of the board the user may change, as the secretariat's Boards and bodies pages
    allow it: the board's settings, its members, and how its body writes times."""
    rights = {
        "may_change_board": user.has_perm("meetings.change_board"),
        "may_change_members": user.has_perms(MEMBER_PERMS),
        "may_change_body": user.has_perm("meetings.change_organisation"),
    }
    return {**rights, "may_change_any": any(rights.values())}


def board_context(meeting: Meeting, user, **extra) -> dict:
    """The section's summary: the board's settings every meeting of it prints."""
    return {"board": meeting.board, "body": meeting.board.body, **board_rights(user), **extra}


def members_fingerprint(memberships) -> str:
    return section_fingerprint(
        (m.pk, m.person_id, m.role_id, m.organisation_id, m.start_on, m.end_on, m.position)
        for m in memberships
    )


class BoardView(EditorView):
    """The board's settings and members (and how the body writes times): they apply to every
    meeting of the board, so the form is fetched when the clerk asks for it."""

    def memberships(self):
        return list(
            self.meeting.board.memberships.select_related(
                "person", "role", "organisation"
            ).order_by("position", "pk")
        )

    def forms(self, lists, memberships, data=None):
        board, rights = self.meeting.board, board_rights(self.request.user)
        initial = {
            **_initial_from(board, editor_forms.BoardForm.board_fields),
            "time_style": board.body.time_style,
            "lock_version": board.version,
        }
        form = editor_forms.BoardForm(
            data,
            initial=initial,
            prefix="board",
            lists=lists,
            may_change_board=rights["may_change_board"],
            may_change_body=rights["may_change_body"],
        )
        formset = None
        if rights["may_change_members"]:
            rows = [
                {
                    "pk": m.pk,
                    "name": m.person.name,
                    "role": m.role,
                    "organisation": m.organisation_id,
                    "start_on": m.start_on,
                    "end_on": m.end_on,
                }
                for m in memberships
            ]
            formset = editor_forms.MemberFormSet(
                data, initial=rows + [{}], prefix="member", lists=lists
            )
        return form, formset

    def render_form(self, form, formset, memberships, status=200, **extra):
        context = board_context(
            self.meeting,
            self.request.user,
            form=form,
            formset=formset,
            fingerprint=members_fingerprint(memberships),
            **extra,
        )
        return self.render("_board.html", context, status=status)

    def get(self, request, pk):
        if "cancel" in request.GET:
            context = board_context(self.meeting, request.user, focus="board-change")
            return self.render("_board.html", context)
        if not board_rights(request.user)["may_change_any"]:
            raise PermissionDenied
        memberships = self.memberships()
        form, formset = self.forms(self.lists(), memberships)
        # Fetched to offer a draft back when the page opens: the focus stays where it is.
        first = form.visible_fields()[0].auto_id if form.visible_fields() else ""
        focus = "" if "draft" in request.GET else first or "id_member-0-name"
        return self.render_form(form, formset, memberships, focus=focus)

    def post(self, request, pk):
        if not board_rights(request.user)["may_change_any"]:
            raise PermissionDenied
        lists, memberships = self.lists(), self.memberships()
        form, formset = self.forms(lists, memberships, data=request.POST)
        if not (form.is_valid() and (formset is None or formset.is_valid())):
            return self.render_form(form, formset, memberships, status=422)
        conflict = ""
        if formset is not None and members_fingerprint(memberships) != request.POST.get(
            "fingerprint"
        ):
            conflict = _(
                "Someone else changed the board's members after you opened them, so nothing "
                "was saved. What you typed is kept; their members are listed above it: check "
                "yours, then save again."
            )
        else:
            try:
                with transaction.atomic(), reopened_minutes() as reopened:
                    self.save(form, formset, memberships)
            except RecordConflict as error:
                conflict = str(error)
            except RecordError as error:
                form.add_error(None, str(error))
                return self.render_form(form, formset, memberships, status=422)
        if conflict:
            # Saving again, having seen theirs, applies what was typed: the current version.
            self.meeting.board.refresh_from_db()
            data = request.POST.copy()
            data[form.add_prefix("lock_version")] = self.meeting.board.version
            memberships = self.memberships()
            form, formset = self.forms(lists, memberships, data=data)
            form.is_valid()
            form.add_error(None, conflict)
            return self.render_form(form, formset, memberships, status=409, theirs=memberships)
        self.meeting.refresh_from_db()
        context = board_context(
            self.meeting,
            request.user,
            saved=_saved_message(),
            reopened=_reopened_note(reopened),
            focus="board-change",
        )
        return self.render("_board.html", context)

    def save(self, form, formset, memberships) -> None:
        """Each part through the service that keeps its rules (meetings.reference)."""
        data, by = form.cleaned_data, self.request.user
        board, body = self.meeting.board, self.meeting.board.body
        wanted = {
            name: data[name].strip() if isinstance(data[name], str) else data[name]
            for name in form.board_fields
        }
        if any(getattr(board, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(board, name, value)
            board_save(board=board, by=by, expected_version=data["lock_version"])
        if "time_style" in data and data["time_style"] != body.time_style:
            body.time_style = data["time_style"]
            organisation_save(organisation=body, by=by)
        if formset is not None:
            self.save_members(formset, {m.pk: m for m in memberships})

    def save_members(self, formset, recorded) -> None:
        by, board = self.request.user, self.meeting.board
        rows = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("blank")
        ]
        names = [(row["name"], None) for row in rows if not row.get("remove")]
        people = people_ensure(body=board.body, people=names, by=by) if names else {}
        for position, row in enumerate(rows):
            membership = recorded.get(row.get("pk")) if row.get("pk") else None
            if row.get("pk") and membership is None:
                raise RecordError(_("A member you changed was removed by someone else."))
            if row.get("remove"):
                if membership is not None:
                    board_membership_delete(membership=membership, by=by)
                continue
            membership = membership or BoardMembership(board=board)
            wanted = {
                "person": people[row["name"]],
                "role": row["role"],
                "organisation": row["organisation"],
                "start_on": row["start_on"],
                "end_on": row["end_on"],
                "position": position,
            }
            if membership.pk and all(getattr(membership, k) == v for k, v in wanted.items()):
                continue
            for name, value in wanted.items():
                setattr(membership, name, value)
            board_membership_save(membership=membership, by=by)


# The page --------------------------------------------------------------------------------------


class MeetingEditorView(EditorView):
    def get(self, request, pk):
        lists = self.lists()
        meeting = self.meeting
        details = meeting_form(editor_forms.DetailsForm, meeting, lists, prefix="details")
        next_form = meeting_form(editor_forms.NextMeetingForm, meeting, lists, prefix="next")
        context = {
            "lists": lists,
            "details": {"form": details},
            "named": named_context(meeting),
            "board": board_context(meeting, request.user),
            "next": {"form": next_form},
            "attendance": attendance_context(meeting),
            "agenda": agenda_context(meeting, lists),
            "review": review_context(meeting, lists),
            "require_otp": settings.ADMIN_REQUIRE_OTP,
            "statuses": Attendance.Status.choices,
            "welsh_missing": untranslated(meeting) if lists.welsh else [],
            "templates": {
                key.removesuffix("s"): formset_class(prefix="__formset__", lists=lists).empty_form
                for key, _model, formset_class, *_rest in ITEM_CHILDREN
            },
        }
        return self.render("editor.html", context)


class ReauthView(View):
    """Sign in again in place when the session expired while the clerk was typing."""

    def post(self, request):
        # The sign-in page's own form: password and, for whoever needs one, the code.
        form = SignInForm(request, data=request.POST)
        if not form.is_valid():
            errors = [str(e) for e in form.non_field_errors()] or [_("Sign-in failed.")]
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        user = form.get_user()
        auth_login(request, user)
        device = getattr(user, "otp_device", None)
        if device is not None:
            otp_login(request, device)
        return JsonResponse({"ok": True, "csrf": get_token(request)})
