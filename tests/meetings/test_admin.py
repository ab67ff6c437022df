import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action, ActionStatus, ActionUpdate
from meetings.models import (
    AgendaItem,
    Appointment,
    Attendance,
    Meeting,
    Person,
    Question,
    Role,
)

pytestmark = pytest.mark.django_db

EXAMPLE = Path(settings.BASE_DIR) / "fixtures" / "dyfed-powys-ppb-2014-03-13.json"
OUR_APPS = {"meetings", "actions"}
MODELS = [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]


@pytest.fixture
def example(db):
    """The Dyfed-Powys example, which the tests work on, and the record with questions."""
    questions = Path(settings.BASE_DIR) / "fixtures" / "gwent-spb-2019-11-26.json"
    call_command("import_meeting", str(EXAMPLE), str(questions), stdout=StringIO())
    # Imports appoint nobody: an administrator appoints (issue 10).
    attended = Attendance.objects.filter(role__isnull=False).select_related("person").first()
    Appointment.objects.create(person=attended.person, role=attended.role)
    return Meeting.objects.get(board__action_prefix="PPB")


def names(model):
    return model._meta.app_label, model._meta.model_name


# Searched in their own lists, but added and edited on their parent's page, where the parent's
# version guards against two people saving at once and an edit reopens approved minutes.
EDITED_ON_PARENT = {
    Question: ("admin:meetings_agendaitem_change", lambda question: question.item_id),
    ActionUpdate: ("admin:actions_action_change", lambda update: update.action_id),
}


# Who holds a post opens its actions: an administrator's decision, which clerks only read.
READ_ONLY_FOR_CLERKS = {Appointment}


def test_clerk_sees_changelist_add_and_change_pages(client, clerk, example):
    """Every page of every model of ours, for a clerk (one import of the demo data for all)."""
    client.force_login(clerk)
    assert len(MODELS) >= 10
    for model in MODELS:
        app, name = names(model)
        label = model._meta.label
        changelist = client.get(reverse(f"admin:{app}_{name}_changelist"))
        assert changelist.status_code == 200, label
        instance = model.objects.order_by("pk").first()
        assert instance is not None, f"the demo data has no {model._meta.verbose_name}"
        add = client.get(reverse(f"admin:{app}_{name}_add"))
        change = client.get(reverse(f"admin:{app}_{name}_change", args=[instance.pk]))
        if model in EDITED_ON_PARENT:
            parent_page, parent_of = EDITED_ON_PARENT[model]
            assert add.status_code == 403, label
            assert change.status_code == 302, label
            assert change["Location"] == reverse(parent_page, args=[parent_of(instance)]), label
            assert client.get(change["Location"]).status_code == 200, label
        elif model in READ_ONLY_FOR_CLERKS:
            assert add.status_code == 403, label
            assert change.status_code == 200, label
            assert 'name="_save"' not in change.content.decode(), label
        else:
            assert add.status_code == 200, label
            assert change.status_code == 200, label
        history = client.get(reverse(f"admin:{app}_{name}_history", args=[instance.pk]))
        assert history.status_code == 200, label
        search = client.get(reverse(f"admin:{app}_{name}_changelist"), {"q": "PCC"})
        assert search.status_code == 200, label


def test_changelists_show_the_record(client, clerk, example):
    client.force_login(clerk)
    actions = client.get(reverse("admin:actions_action_changelist"), {"q": "hate crime"})
    content = actions.content.decode()
    assert "PPB 60" in content
    assert "Recommendations from hate crime research project" in content
    meetings = client.get(reverse("admin:meetings_meeting_changelist")).content.decode()
    assert "Policing Performance Board" in meetings
    page = client.get(reverse("admin:meetings_meeting_change", args=[example.pk])).content.decode()
    # The whole meeting on one page: attendance, items, reviews and actions raised.
    assert "Christopher Salmon" in page
    assert "Child Protection and Safeguarding" in page
    assert "In progress – paper to be sent to OPCC" in page
    assert "Key barriers to progressing the development of a MASH" in page


def test_member_and_force_lead_cannot_use_the_admin(client, member, force_lead):
    for user in (member, force_lead):
        client.force_login(user)
        response = client.get(reverse("admin:meetings_meeting_changelist"))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_clerk_cannot_manage_users(client, clerk, administrator):
    client.force_login(clerk)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    client.force_login(administrator)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200


def _inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _meeting_prefixes(client, url):
    response = client.get(url)
    return [f.formset.prefix for f in response.context["inline_admin_formsets"]]


def test_clerk_enters_a_meeting_with_attendance_items_and_an_action(client, clerk, example):
    client.force_login(clerk)
    board = example.board
    chair = Person.objects.get(name="Christopher Salmon")
    pcc = Role.objects.get(abbrev="PCC", body=board.body)
    url = reverse("admin:meetings_meeting_add") + f"?board={board.pk}"
    attendance, items, reviews, raised = _meeting_prefixes(client, url)
    data = {
        "board": board.pk,
        "held_on": "2014-04-10",
        "title": "",
        "start_time": "10:00",
        "end_time": "12:00",
        "venue": "Police Headquarters",
        "chair_role": pcc.pk,
        "status": "draft",
        **_inline_management(attendance, total=1),
        f"{attendance}-0-position": "0",
        f"{attendance}-0-person": chair.pk,
        f"{attendance}-0-role": pcc.pk,
        f"{attendance}-0-status": "present",
        **_inline_management(items, total=1),
        f"{items}-0-position": "0",
        f"{items}-0-number": "1",
        f"{items}-0-title": "Action Summary",
        f"{items}-0-minutes": "The PCC welcomed everyone.",
        **_inline_management(reviews),
        **_inline_management(raised),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    meeting = Meeting.objects.get(held_on=datetime.date(2014, 4, 10))
    assert meeting.created_by == clerk
    assert list(meeting.attendance.values_list("person__name", flat=True)) == ["Christopher Salmon"]
    item = meeting.items.get()

    # Now raise an action under the item and report progress on PPB 60, from the meeting page.
    change_url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    attendance_row = meeting.attendance.get()
    data.update(
        {
            "lock_version": meeting.version,
            f"{items}-0-lock_version": item.version,
            **_inline_management(attendance, total=1, initial=1),
            f"{attendance}-0-id": attendance_row.pk,
            f"{attendance}-0-meeting": meeting.pk,
            **_inline_management(items, total=1, initial=1),
            f"{items}-0-id": item.pk,
            f"{items}-0-meeting": meeting.pk,
            **_inline_management(raised, total=1),
            f"{raised}-0-raised_at_item": item.pk,
            f"{raised}-0-status": "open",
            f"{raised}-0-text": "DoF to report the outturn to the next meeting",
            f"{raised}-0-owner_roles": [Role.objects.get(abbrev="DoF", body=board.body).pk],
            **_inline_management(reviews, total=1),
            f"{reviews}-0-action": Action.objects.get(number=60).pk,
            f"{reviews}-0-item": item.pk,
            f"{reviews}-0-position": "0",
            f"{reviews}-0-text": "Completed – report presented",
            f"{reviews}-0-status": "completed",
        }
    )
    response = client.post(change_url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    new_action = Action.objects.get(text="DoF to report the outturn to the next meeting")
    assert new_action.ref == "PPB 71"
    assert new_action.raised_at_meeting == meeting
    assert new_action.owners_display() == "DoF"
    ppb60 = Action.objects.get(number=60)
    assert ppb60.status == ActionStatus.COMPLETED
    update = ActionUpdate.objects.get(meeting=meeting)
    assert update.reported_on == datetime.date(2014, 4, 10)
    assert update.created_by == clerk
    # The ref is shown on the meeting page after saving.
    page = client.get(change_url).content.decode()
    assert "PPB 71" in page


def test_action_without_owner_is_refused_and_keeps_the_text(client, clerk, example):
    client.force_login(clerk)
    meeting = example
    change_url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    response = client.get(change_url)
    formsets = response.context["inline_admin_formsets"]
    data = {}
    for key, value in response.context["adminform"].form.initial.items():
        if isinstance(value, list):
            data[key] = [v.pk for v in value]
        else:
            data[key] = value.pk if hasattr(value, "pk") else ("" if value is None else value)
    data["held_on"] = meeting.held_on.isoformat()
    data["lock_version"] = meeting.version
    data["start_time"] = "10:00"
    data["end_time"] = "11:55"
    for inline in formsets:
        formset = inline.formset
        data.update(
            _inline_management(formset.prefix, total=len(formset.forms), initial=len(formset.forms))
        )
        for i, form in enumerate(formset.forms):
            for name, _field in form.fields.items():
                value = form.initial.get(name)
                if value is None:
                    continue
                if isinstance(value, list):
                    data[f"{formset.prefix}-{i}-{name}"] = [getattr(v, "pk", v) for v in value]
                else:
                    data[f"{formset.prefix}-{i}-{name}"] = getattr(value, "pk", value)
    raised = formsets[-1].formset.prefix
    n = len(formsets[-1].formset.forms)
    data[f"{raised}-TOTAL_FORMS"] = str(n + 1)
    data[f"{raised}-{n}-text"] = "An action nobody owns"
    data[f"{raised}-{n}-status"] = "open"
    before = Action.objects.count()
    response = client.post(change_url, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Choose at least one owner" in content
    assert "An action nobody owns" in content
    assert Action.objects.count() == before


def test_item_page_takes_questions_and_sub_items(client, clerk, example):
    client.force_login(clerk)
    item = AgendaItem.objects.get(title="Data Quality")
    url = reverse("admin:meetings_agendaitem_change", args=[item.pk])
    response = client.get(url)
    assert response.status_code == 200
    prefixes = [f.formset.prefix for f in response.context["inline_admin_formsets"]]
    papers, questions, actions, departures, subitems = prefixes
    data = {
        "lock_version": item.version,
        "meeting": item.meeting_id,
        "position": item.position,
        "number": "",
        "title": item.title,
        "minutes": item.minutes,
        **_inline_management(papers, total=1),
        f"{papers}-0-title": "Data Quality Report",
        f"{papers}-0-position": "0",
        **_inline_management(questions, total=1),
        f"{questions}-0-position": "0",
        f"{questions}-0-question": "How will the audit be reported?",
        f"{questions}-0-response": "To the next board.",
        **_inline_management(actions),
        **_inline_management(departures),
        **_inline_management(subitems, total=1),
        f"{subitems}-0-position": "0",
        f"{subitems}-0-title": "Use of Force",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    item.refresh_from_db()
    assert item.papers.get().title == "Data Quality Report"
    assert item.questions.get().response == "To the next board."
    child = item.children.get()
    assert child.meeting == item.meeting
    assert child.title == "Use of Force"
    assert Attendance.objects.filter(meeting=item.meeting).count() == 11


def test_a_second_save_of_the_same_item_is_refused_and_the_first_text_survives(
    client, clerk, example
):
    """Two clerks open the same item; the first saves; the second is told and keeps their text."""
    item = AgendaItem.objects.get(title="Data Quality")
    url = reverse("admin:meetings_agendaitem_change", args=[item.pk])
    client.force_login(clerk)
    prefixes = [f.formset.prefix for f in client.get(url).context["inline_admin_formsets"]]
    opened_at = item.version

    def post(minutes):
        data = {
            "lock_version": opened_at,
            "meeting": item.meeting_id,
            "position": item.position,
            "title": item.title,
            "minutes": minutes,
        }
        for prefix in prefixes:
            data.update(_inline_management(prefix))
        return client.post(url, data)

    first = post("The first clerk's minute.")
    assert first.status_code == 302
    second = post("The second clerk's minute.")
    assert second.status_code == 200
    content = second.content.decode()
    assert "Someone else saved changes to this agenda item after you opened it" in content
    assert "The second clerk&#x27;s minute." in content
    item.refresh_from_db()
    assert item.minutes == "The first clerk's minute."
    assert item.version == opened_at + 1


def test_the_progress_list_filters_by_date_without_reading_every_reports_date(client, clerk):
    """The admin's list of progress reports offers dates to filter by (this year, this month…)
    without reading the date of every report to draw its page: its year-by-year links read all
    525,000 of them at 120,000 actions (a third of a second a page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tests.factories import ActionUpdateFactory

    today = timezone.localdate()
    ActionUpdateFactory(reported_on=today, text="Reported this year")
    ActionUpdateFactory(reported_on=today.replace(year=today.year - 2), text="Reported before")
    client.force_login(clerk)
    url = reverse("admin:actions_actionupdate_changelist")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert "This year" in page
    read = " ".join(query["sql"].upper() for query in queries.captured_queries)
    assert "MIN(" not in read
    assert "DISTINCT" not in read
    start = today.replace(month=1, day=1)
    filtered = client.get(
        url,
        {
            "reported_on__gte": start.isoformat(),
            "reported_on__lt": start.replace(year=start.year + 1).isoformat(),
        },
    ).content.decode()
    assert '1 result (<a href="?">2 total</a>)' in filtered
