"""The register's write path: one creation path, and a change to what the minutes print
reopens their approval whoever makes it (docs/adr/0005-correction-rule.md)."""

import datetime

import pytest
from django.urls import reverse

from actions import services
from actions.models import ActionStatus
from meetings.models import Meeting
from meetings.services import meeting_item_save
from minutes.services import PublicationError, meeting_approve
from scrutiny.groups import APPROVER, ensure_groups
from tests.factories import (
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    RoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ON = datetime.date(2020, 1, 20)


@pytest.fixture
def approved(clerk, approver):
    board = BoardFactory()
    meeting = MeetingFactory(board=board, created_by=clerk, held_on=datetime.date(2020, 1, 10))
    item = AgendaItemFactory(meeting=meeting)
    action = services.action_create(
        board=board,
        text="Report the outturn",
        owners=[RoleFactory(body=board.body, abbrev="DoF")],
        raised_at=meeting,
        by=clerk,
        item=item,
    )
    meeting_approve(meeting=meeting, by=approver)
    return meeting, action


def test_changing_owners_on_the_register_page_reopens_the_minutes_that_print_them(
    client, clerk, approved
):
    meeting, action = approved
    acc = RoleFactory(body=meeting.board.body, abbrev="ACC")
    client.force_login(clerk)
    response = client.post(
        reverse("actions:action-reassign", args=[action.pk]),
        {"roles": [acc.pk], "version": action.version},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT
    assert action.owners_display() == "ACC"


def test_progress_reported_between_meetings_reopens_nothing(clerk, force_lead, approved):
    meeting, action = approved
    services.action_report_progress(
        action=action, text="Half done.", by=force_lead, person=None, on=ON
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.APPROVED


def test_progress_minuted_at_a_later_meeting_reopens_it_and_sets_the_status(clerk, approver):
    board = BoardFactory()
    action = services.action_create(
        board=board, text="Review", owners=[RoleFactory(body=board.body)], raised_at=None, by=None
    )
    later = MeetingFactory(board=board, created_by=clerk)
    meeting_approve(meeting=later, by=approver)
    services.action_review_record(
        action=action, meeting=later, text="Done.", by=clerk, status=ActionStatus.COMPLETED
    )
    later.refresh_from_db()
    action.refresh_from_db()
    assert later.status == Meeting.Status.DRAFT
    assert action.status == ActionStatus.COMPLETED


def test_whoever_changed_the_printed_record_cannot_approve_that_change(approver, approved):
    meeting, _action = approved
    item = meeting.items.get()
    item.minutes = "Rewritten by the approver."
    meeting_item_save(item=item, by=approver)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT
    with pytest.raises(PublicationError, match="another approver"):
        meeting_approve(meeting=meeting, by=approver)
    other = UserFactory(username="second_approver", is_staff=True)
    other.groups.add(ensure_groups()[APPROVER])
    meeting_approve(meeting=meeting, by=other)
    assert list(meeting.changed_since_approval_by.all()) == []


def test_an_owner_of_another_body_is_refused(clerk):
    board = BoardFactory()
    foreign = RoleFactory(body__name="Office of the Police and Crime Commissioner for Dyfed-Powys")
    with pytest.raises(services.ActionError, match="Dyfed-Powys"):
        services.action_create(
            board=board, text="Do it", owners=[foreign], raised_at=None, by=clerk
        )


def test_a_closed_action_is_reopened_before_it_is_withdrawn(clerk, approved):
    _meeting, action = approved
    services.action_close(action=action, by=clerk, on=ON)
    assert not action.can_withdraw()
    with pytest.raises(services.ActionError):
        services.action_withdraw(action=action, reason="No longer needed.", by=clerk, on=ON)


@pytest.mark.parametrize(
    ("change", "field"),
    [("item", "minutes_cy"), ("item", "title_cy"), ("action", "text_cy")],
)
def test_a_welsh_twin_changed_after_approval_reopens_the_minutes(clerk, approved, change, field):
    """The Welsh documents print the twins, so the approver must see a change to them too."""
    meeting, action = approved
    if change == "item":
        item = action.raised_at_item
        setattr(item, field, "Testun Cymraeg newydd")
        meeting_item_save(item=item, by=clerk)
    else:
        setattr(action, field, "Cyflwyno'r alldro")
        services.action_update(action=action, by=clerk)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT


@pytest.mark.parametrize(
    "field",
    [
        "review.text_cy",
        "review.summary_cy",
        "meeting.questions_intro",
        "meeting.questions_intro_cy",
        "question.restricted_reason",
        "question.restricted_reason_cy",
    ],
)
def test_every_printed_welsh_twin_changed_after_approval_reopens_the_minutes(
    clerk, approver, approved, field
):
    """The Welsh twins of progress minuted at a meeting, of the questions record's introduction
    and of a restricted response's public reason are printed as their English is."""
    from meetings.services import meeting_update, question_save
    from tests.factories import QuestionFactory

    meeting, action = approved
    review = services.action_review_record(
        by=clerk, action=action, meeting=meeting, text="Outturn reported."
    )
    question = QuestionFactory(item=action.raised_at_item, restricted=True)
    meeting.refresh_from_db()
    meeting_approve(meeting=meeting, by=approver)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.APPROVED
    kind, name = field.split(".")
    if kind == "review":
        setattr(review, name, "Testun Cymraeg newydd")
        services.action_review_update(review=review, by=clerk)
    elif kind == "meeting":
        setattr(meeting, name, "Testun newydd")
        meeting_update(meeting=meeting, by=clerk)
    else:
        setattr(question, name, "Testun newydd")
        question_save(question=question, by=clerk)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT


def test_every_welsh_twin_of_a_printed_row_is_printed():
    """A Welsh text added to a printed row is printed by the Welsh documents: the printed fields
    derive it from its English, and its English is printed too."""
    from actions.models import Action, ActionUpdate
    from meetings.services import PRINTED_FIELDS

    printed = {**PRINTED_FIELDS, Action: services.PRINTED_FIELDS}
    printed[ActionUpdate] = services.PRINTED_REVIEW_FIELDS
    for model, fields in printed.items():
        twins = {field.name for field in model._meta.fields if field.name.endswith("_cy")}
        assert twins <= set(fields), model
