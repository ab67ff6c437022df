"""The meeting editor at scale: its page and each section's save on a board of a big register.

Run: .venv/bin/python benchmarks/bench_editor_scale.py --database postgresql://.../p14_120k

On an existing generated database (`generate_data`, e.g. 120,000 actions over 100 boards) it
opens, as a clerk, the latest meeting of the board with the most actions, and times on the
server (Django's test client, in process, DEBUG off) the editor page (size, queries) and one
save of each section as the page would post it: details, attendance, an item, raising an
action, opening a row of the review, and the review of three earlier actions (the rows
opened are the rows posted). The saves write to the database: use a copy.
"""

import datetime
import statistics
import time

from common import collect_static, machine, parser, setup


def form_data(form) -> dict:
    """What the browser posts for an unbound form as the page shows it."""
    from django import forms

    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(value, datetime.time):
            value = value.strftime("%H:%M")
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[bound.html_name] = "" if value is None else str(value)
    return data


def formset_data(formset) -> dict:
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(len(formset.forms)),
        f"{formset.prefix}-INITIAL_FORMS": str(len(formset.forms)),
    }
    for form in formset.forms:
        data |= form_data(form)
    return data


def main() -> None:
    args = parser(__doc__).parse_args()
    setup(args.database)
    collect_static()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from actions.models import Action
    from meetings.models import Meeting
    from minutes.editor import forms as editor_forms
    from minutes.editor.views import (
        Lists,
        attendance_context,
        item_children,
        item_forms,
        meeting_form,
        review_context,
        review_form,
        review_rows,
    )

    board_id = (
        Action.objects.values("board").annotate(n=Count("pk")).order_by("-n").first()["board"]
    )
    meeting = Meeting.objects.filter(board_id=board_id).order_by("-held_on").first()
    user, _created = get_user_model().objects.get_or_create(
        username="bench-editor-clerk",
        defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.org"},
    )
    client = Client(HTTP_HX_REQUEST="true")
    client.force_login(user)
    url = lambda name, **kw: reverse(f"editor:{name}", kwargs={"pk": meeting.pk, **kw})  # noqa: E731
    print(machine())
    print(
        f"{Action.objects.count():,} actions; board {meeting.board} "
        f"({Action.objects.filter(board_id=board_id).count():,} actions); meeting {meeting}"
    )

    page_times, queries = [], []
    for _run in range(5):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            client.defaults.pop("HTTP_HX_REQUEST", None)
            response = client.get(url("meeting-edit"))
            page_times.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
        assert response.status_code == 200, response.status_code
    size = len(response.content)
    client.defaults["HTTP_HX_REQUEST"] = "true"
    print(
        f"editor page: median {statistics.median(page_times):.0f} ms, slowest "
        f"{max(page_times):.0f} ms over 5 loads; {size / 1024:.0f} KB; {queries[-1]} queries"
    )

    def timed_post(label, name, data, **kw):
        times = []
        for _run in range(3):
            meeting.refresh_from_db()
            fresh = data() if callable(data) else data
            started = time.perf_counter()
            response = client.post(url(name, **kw), fresh)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (
                label,
                response.status_code,
                response.content[:800],
            )
        print(
            f"  {label:<28} median {statistics.median(times):.0f} ms, slowest {max(times):.0f} ms"
        )

    def details():
        lists = Lists.load(meeting)
        form = meeting_form(editor_forms.DetailsForm, meeting, lists, prefix="details")
        return form_data(form)

    def attendance():
        context = attendance_context(meeting)
        return formset_data(context["formset"]) | {"fingerprint": context["fingerprint"]}

    lists = Lists.load(meeting)
    item = lists.items[0]

    def item_save():
        item.refresh_from_db()
        form, formsets = item_forms(item, lists, item_children([item]).get(item.pk, {}))
        data = form_data(form)
        for formset in formsets.values():
            data |= formset_data(formset)
        return data

    owner = (lists.attendee_roles or lists.roles)[0].abbrev
    raise_data = {
        f"raise{item.pk}-text": "Report back on the benchmark",
        f"raise{item.pk}-owners": owner,
        f"raise{item.pk}-due_kind": "next_meeting",
    }

    def review():
        # The clerk opens three rows (each fetched: timed below) and types progress in them;
        # only those rows are posted.
        context = review_context(meeting)
        actions, here = review_rows(meeting, only=[row["action"].pk for row in context["rows"][:3]])
        data = {"fingerprint": context["fingerprint"]}
        stamp = time.perf_counter_ns()
        for action in actions:
            form = review_form(action, here, lists)
            data |= form_data(form)
            data[form.add_prefix("text")] = f"Progress noted ({stamp})."
            data[form.add_prefix("item")] = str(item.pk)
        return data

    def timed_get(label, name, **kw):
        times = []
        for _run in range(3):
            started = time.perf_counter()
            response = client.get(url(name, **kw))
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        print(
            f"  {label:<28} median {statistics.median(times):.0f} ms, slowest {max(times):.0f} ms"
        )

    print("saves (3 each):")
    timed_post("details", "details", details)
    timed_post("attendance", "attendance", attendance)
    timed_post(f"item {item}", "item-save", item_save, item_pk=item.pk)
    timed_post("raise an action", "action-raise", raise_data, item_pk=item.pk)
    rows = review_context(meeting)["rows"]
    timed_get("open a review row (GET)", "review-row", action_pk=rows[len(rows) // 2]["action"].pk)
    timed_post(f"review ({len(rows)} rows, 3 opened)", "review", review)


if __name__ == "__main__":
    main()
