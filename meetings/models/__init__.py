"""Boards, the people and posts that sit on them, and their meetings."""

from .agenda import (  # noqa: F401
    AgendaItem,
    Departure,
    Paper,
    PaperFile,
    Question,
    split_paragraphs,
)
from .bodies import (  # noqa: F401
    HEX_COLOUR,
    Appointment,
    AppointmentQuerySet,
    Board,
    BoardMembership,
    Organisation,
    Person,
    Role,
    may_see_full_record,
)
from .meeting import (  # noqa: F401
    Attendance,
    Meeting,
    MeetingQuerySet,
)
from .publication import (  # noqa: F401
    AgendaPublication,
    AgendaPublicationQuerySet,
    ImmutableError,
    ImmutableQuerySet,
    Passage,
    Publication,
    PublicationQuerySet,
    PublishedDocument,
    PublishedText,
)
