import datetime
import io

import factory
from django.contrib.auth import get_user_model

from actions.models import Action, ActionOwner, ActionUpdate
from meetings.models import (
    AgendaItem,
    Appointment,
    Attendance,
    Board,
    Meeting,
    Organisation,
    Person,
    Question,
    Role,
)

factory.Faker._DEFAULT_LOCALE = "en_GB"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name", "parent"]

    name = "Office of the Police and Crime Commissioner for Gwent"
    parent = None


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board

    body = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Strategy and Performance Board {n}")
    slug = factory.Sequence(lambda n: f"board-{n}")
    action_prefix = factory.Sequence(lambda n: f"SPB{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    body = factory.SubFactory(OrganisationFactory)
    name = factory.Faker("name")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    body = factory.SubFactory(OrganisationFactory)
    abbrev = factory.Sequence(lambda n: f"R{n}")
    title = factory.Sequence(lambda n: f"Head of Department {n}")


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    person = factory.SubFactory(PersonFactory)
    # A post is held by a person of its own body (the database holds it: ADR 0011).
    role = factory.SubFactory(RoleFactory, body=factory.SelfAttribute("..person.body"))
    start_on = datetime.date(2018, 1, 1)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    board = factory.SubFactory(BoardFactory)
    held_on = factory.Sequence(lambda n: datetime.date(2019, 1, 1) + datetime.timedelta(days=n))
    status = Meeting.Status.DRAFT


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory, body=factory.SelfAttribute("..meeting.board.body"))


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Faker("sentence", nb_words=4)
    minutes = factory.Faker("paragraph")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    item = factory.SubFactory(AgendaItemFactory)
    question = factory.Faker("sentence")
    response = factory.Faker("paragraph")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    board = factory.SubFactory(BoardFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Faker("sentence")


class ActionOwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionOwner

    action = factory.SubFactory(ActionFactory)
    role = factory.SubFactory(RoleFactory, body=factory.SelfAttribute("..action.board.body"))


class ActionUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionUpdate

    action = factory.SubFactory(ActionFactory)
    reported_on = datetime.date(2019, 6, 1)
    text = factory.Faker("sentence")


def pdf_with_text(*lines: str, pages: int = 1) -> bytes:
    """A small real PDF whose pages print the given lines (for papers and their canaries)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    for _ in range(pages):
        page = writer.add_blank_page(595, 842)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        text = " ".join(f"({line}) Tj 0 -16 Td" for line in lines)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 72 760 Td {text} ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
