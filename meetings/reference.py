"""The reference data a record names: bodies and the groups within them, boards, posts, people,
board members, and the link between a person of the record and a user account.

Every caller that finds or creates these goes through here (the importer, the commands, the
admin): each service finds the row by what identifies it, creates it when missing, and completes
it with what the caller knows and the row leaves empty, never overwriting what is recorded.
A caller that already holds the row (an import keeps what it found for its next files) passes it
as `known`, which saves the lookup and applies the same rules.

Those that never refuse once they write (bodies, groups, posts, people: these refuse a group of
another body before writing anything) need no savepoint of their own (an import calls them for
every post and person of every file); those that refuse keep one (`scrutiny.transactions`), so
that a caller that catches the refusal carries on in a sound transaction.
"""

import datetime
import io
import warnings
from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from meetings.models import (
    Appointment,
    Board,
    BoardMembership,
    Meeting,
    Organisation,
    Person,
    Role,
)
from meetings.services import (
    RecordError,
    _stored,
    meeting_reopen_approval,
    require_in_body,
    with_welsh_twins,
)
from scrutiny.audit import bulk_create_recorded, bulk_update_recorded
from scrutiny.transactions import atomic

# What every meeting's minutes print of their board and body: a change reopens the approval of
# the board's (the body's) approved minutes, which would be published with it. Published minutes
# keep the documents stored when they were published, so they stay as they are.
BOARD_PRINTED_FIELDS = with_welsh_twins(
    Board, ("name", "welsh_statement", "question_label", "response_label", "action_column")
)
BODY_PRINTED_FIELDS = ("time_style",)


def _changed(instance, stored, fields) -> bool:
    return stored is not None and any(getattr(instance, f) != getattr(stored, f) for f in fields)


def _reopen_approved(meetings, by) -> None:
    approved = meetings.filter(status=Meeting.Status.APPROVED).order_by("pk")
    meeting_reopen_approval(meetings=approved, by=by)


@transaction.atomic(savepoint=False)
def body_ensure(
    *,
    name: str,
    name_cy: str = "",
    time_style: str | None = None,
    known: Organisation | None = None,
) -> Organisation:
    """The body (an organisation with no parent) of this name, created when missing. How it
    writes times is set when given; a Welsh name makes it a body that publishes in Welsh (the
    Welsh Language Standards)."""
    body = known or Organisation.objects.get_or_create(parent=None, name=name)[0]
    changed = []
    if time_style is not None and body.time_style != time_style:
        body.time_style = time_style
        changed.append("time_style")
    if name_cy and body.name_cy != name_cy:
        body.name_cy, body.welsh = name_cy, True
        changed += ["name_cy", "welsh"]
    if "time_style" in changed and body.pk:
        # How times are printed changed: the body's approved minutes need approving again.
        _reopen_approved(Meeting.objects.filter(board__body=body), by=None)
    if changed:
        body.save(update_fields=changed)
    return body


def suborganisation_ensure(*, body: Organisation, name: str | None) -> Organisation | None:
    """The group of this name within the body (the body itself when it is named), created when
    missing; None for no name."""
    if not name:
        return None
    if name == body.name:
        return body
    return Organisation.objects.get_or_create(parent=body, name=name)[0]


def _unique_slug(text: str) -> str:
    base = slugify(text)[:70] or "board"
    slug, n = base, 2
    while Board.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# What a board's details may be set to by whoever names it again (an import of a later meeting).
BOARD_LABELS = (
    "welsh_statement",
    "question_label",
    "response_label",
    "action_column",
    "name_cy",
    "question_label_cy",
    "response_label_cy",
)


@atomic
def board_ensure(*, body: Organisation, name: str, action_prefix: str, **labels) -> Board:
    """The board of the body with this action prefix, created when missing (with a web address
    of its own). A prefix names one board of a body, and a name one prefix: a clash is refused
    (`field` says which). The labels given (`BOARD_LABELS`) are set; an empty Welsh twin keeps
    the one recorded."""
    unknown = set(labels) - set(BOARD_LABELS)
    if unknown:
        raise TypeError(f"board_ensure() got unexpected keywords {sorted(unknown)}")
    board = Board.objects.filter(body=body, action_prefix=action_prefix).first()
    if board is None:
        if Board.objects.filter(body=body, name=name).exists():
            raise RecordError(
                _("%(body)s already has a board named %(name)r with another prefix")
                % {"body": body.name, "name": name},
                field="action_prefix",
            )
        return Board.objects.create(
            body=body,
            name=name,
            action_prefix=action_prefix,
            slug=_unique_slug(f"{body.name} {name}"),
            **labels,
        )
    if board.name != name:
        raise RecordError(
            _("the prefix %(prefix)s belongs to the board %(board)r")
            % {"prefix": board.action_prefix, "board": board.name},
            field="name",
        )
    changed = [
        key
        for key, value in labels.items()
        if getattr(board, key) != value and (not key.endswith("_cy") or value)
    ]
    for key in changed:
        setattr(board, key, labels[key])
    if set(changed) & set(BOARD_PRINTED_FIELDS):
        # What the board's minutes print changed: its approved minutes need approving again.
        _reopen_approved(board.meetings.all(), by=None)
    if changed:
        board.save(update_fields=changed)
    return board


def _role_complete(role: Role, title: str, organisation: Organisation | None) -> list[str]:
    """A post recorded with no title (or its abbreviation as title) gets this one, and one with
    no group gets this group. Returns the fields changed."""
    changed = []
    if role.title in ("", role.abbrev) and title != role.title:
        role.title = title
        changed.append("title")
    if role.organisation_id is None and organisation is not None:
        role.organisation = organisation
        changed.append("organisation")
    return changed


def _person_complete(person: Person, organisation: Organisation | None) -> list[str]:
    """A person recorded with no group gets this group. Returns the fields changed."""
    if person.organisation_id is None and organisation is not None:
        person.organisation = organisation
        return ["organisation"]
    return []


@transaction.atomic(savepoint=False)
def _ensure_many(model, body, key: str, wanted, known, complete, make, by=None):
    """Find the rows of the body by `key` (those not `known`) in one query, create the missing
    ones in one insert and complete the others in one update, each with its history
    (ADR 0002). `wanted` is (key value, *what completes it); the first of a key creates it,
    the next ones complete it, as one call after another would. `by`, a signed-in user, is
    credited with what is written."""
    rows = dict(known or {})
    missing = {value for value, *_rest in wanted if value not in rows}
    if missing:
        found = model.objects.filter(body=body, **{f"{key}__in": missing})
        rows.update((getattr(row, key), row) for row in found)
    new, changed, fields = [], {}, set()
    for value, *extra in wanted:
        row = rows.get(value)
        if row is None:
            rows[value] = make(value, *extra)
            new.append(rows[value])
            continue
        names = complete(row, *extra)
        if names and row.pk is not None:
            changed[row.pk] = row
            fields.update(names)
    if by is not None:
        for row in [*new, *changed.values()]:
            row._history_user = by
    if new:
        bulk_create_recorded(new, model)
    if changed:
        bulk_update_recorded(list(changed.values()), model, sorted(fields))
    return rows


def roles_ensure(
    *,
    body: Organisation,
    roles: Iterable[tuple[str, str, Organisation | None]],
    known: dict[str, Role] | None = None,
) -> dict[str, Role]:
    """The posts of the body with these abbreviations, titles and groups, by abbreviation:
    created when missing, completed when recorded without a title or group (`role_ensure`), in
    a few statements however many there are."""
    roles = list(roles)
    for _abbrev, _title, organisation in roles:
        require_in_body(body, organisation, "organisation")
    return _ensure_many(
        Role,
        body,
        "abbrev",
        roles,
        known,
        _role_complete,
        lambda abbrev, title, organisation: Role(
            body=body, abbrev=abbrev, title=title, organisation=organisation
        ),
    )


def role_ensure(
    *,
    body: Organisation,
    abbrev: str,
    title: str,
    organisation: Organisation | None = None,
    known: Role | None = None,
) -> Role:
    """The post of the body with this abbreviation, created when missing. A post recorded with
    no title (or its abbreviation as title) gets this one, and one with no group gets this
    group."""
    found = roles_ensure(
        body=body, roles=[(abbrev, title, organisation)], known={abbrev: known} if known else None
    )
    return found[abbrev]


def people_ensure(
    *,
    body: Organisation,
    people: Iterable[tuple[str, Organisation | None]],
    known: dict[str, Person] | None = None,
    by=None,
) -> dict[str, Person]:
    """The people of the body's record with these names and groups, by name: created when
    missing, completed when recorded without a group (`person_ensure`), in a few statements
    however many there are."""
    people = list(people)
    for _name, organisation in people:
        require_in_body(body, organisation, "organisation")
    return _ensure_many(
        Person,
        body,
        "name",
        people,
        known,
        _person_complete,
        lambda name, organisation: Person(body=body, name=name, organisation=organisation),
        by=by,
    )


def person_ensure(
    *,
    body: Organisation,
    name: str,
    organisation: Organisation | None = None,
    known: Person | None = None,
) -> Person:
    """The person of the body's record with this name, created when missing; one recorded with
    no group gets this group."""
    found = people_ensure(
        body=body, people=[(name, organisation)], known={name: known} if known else None
    )
    return found[name]


def board_membership_ensure(
    *,
    board: Board,
    person: Person,
    role: Role | None,
    start_on: datetime.date | None,
    end_on: datetime.date | None,
    organisation: Organisation | None = None,
    position: int = 0,
) -> BoardMembership:
    """`person` sits on the board (in `role`) from `start_on` to `end_on`; a membership already
    recorded for the same person, post and dates is kept. A membership cannot end before it
    starts; the person and post are of the board's body."""
    member = {
        "person": person,
        "role": role,
        "start_on": start_on,
        "end_on": end_on,
        "organisation": organisation,
        "position": position,
    }
    return board_memberships_ensure(board=board, members=[member])[0]


@atomic
def board_memberships_ensure(*, board: Board, members: list[dict]) -> list[BoardMembership]:
    """`board_membership_ensure` for several members (dicts of its keywords) at once: every one
    is checked before any is written (a refusal names its index in `row`), those already
    recorded are kept, and the others go in with one insert."""
    for row, member in enumerate(members):
        try:
            start_on, end_on = member.get("start_on"), member.get("end_on")
            if start_on and end_on and end_on < start_on:
                raise RecordError(_("a membership cannot end before it starts"), field="to")
            for field, key in (("name", "person"), ("role", "role")):
                record = member.get(key)
                if record is not None and record.body_id != board.body_id:
                    require_in_body(board.body, record, field)
        except RecordError as exc:
            exc.row = row
            raise

    def key(person_id, role_id, start_on, end_on):
        return (person_id, role_id, start_on, end_on)

    recorded = {
        key(*values): membership
        for membership in BoardMembership.objects.filter(
            board=board, person__in=[m["person"] for m in members]
        )
        for values in [
            (membership.person_id, membership.role_id, membership.start_on, membership.end_on)
        ]
    }
    result, new = [], []
    for member in members:
        role = member.get("role")
        wanted = key(
            member["person"].pk,
            role.pk if role is not None else None,
            member.get("start_on"),
            member.get("end_on"),
        )
        if wanted not in recorded:
            recorded[wanted] = BoardMembership(
                board=board,
                person=member["person"],
                role=role,
                start_on=member.get("start_on"),
                end_on=member.get("end_on"),
                organisation=member.get("organisation"),
                position=member.get("position", 0),
            )
            new.append(recorded[wanted])
        result.append(recorded[wanted])
    BoardMembership.objects.bulk_create(new)
    return result


def _require_account_free(person: Person, user) -> None:
    other = Person.objects.filter(user=user).exclude(pk=person.pk).first()
    if other is not None:
        raise RecordError(
            _("%(username)s is already linked to %(linked)s, not %(name)s.")
            % {"username": user.get_username(), "linked": other.name, "name": person.name},
            field="user",
        )


@atomic
def person_link_account(*, person: Person, user, email: str = "") -> list[str]:
    """Link a person of the record to the user account they sign in with (one account a person,
    one person an account), and give the person an email address for reminders: `email`, else
    the account's, else the one recorded. Saves a new person. Returns the fields changed."""
    _require_account_free(person, user)
    changed = []
    if person.user_id != user.pk:
        person.user = user
        changed.append("user")
    new_email = email or user.email or person.email
    if person.email != new_email:
        person.email = new_email
        changed.append("email")
    if person.pk is None:
        person.save()
    elif changed:
        person.save(update_fields=changed)
    return changed


# The secretariat's pages of the reference data: a row as the page sets it, saved by the rules
# the database also holds (docs/adr/0011-body-scope-in-the-database.md), refused with a message.


def _require_body_kept(record: Person | Role | Board, stored, named: bool) -> None:
    if stored is not None and stored.body_id != record.body_id and named:
        raise RecordError(
            _(
                "%(record)s is named in the record of %(body)s (meetings, actions, board "
                "members or appointments), so it stays in that body: add a new one in the "
                "other body instead."
            )
            % {"record": str(stored), "body": stored.body.name},
            field="body",
        )


def _named(queries) -> bool:
    return any(query.exists() for query in queries)


def _credit(record, by) -> None:
    """Its history names `by` (a page's request names its user anyway)."""
    if by is not None and getattr(by, "pk", None):
        record._history_user = by


LOGO_MAX_BYTES = 512 * 1024
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def _logo_type(data: bytes) -> str:
    """The type of a body's logo: a PNG or JPEG of at most 512 KB, else refused."""
    if len(data) > LOGO_MAX_BYTES:
        raise RecordError(_("The logo is larger than 512 KB."), field="upload_logo")
    not_an_image = RecordError(_("The file is not a PNG or JPEG image."), field="upload_logo")
    try:
        with warnings.catch_warnings():
            # A header claiming a huge size (a decompression bomb) is no logo either.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise not_an_image from None
    if image.format not in LOGO_FORMATS:
        raise not_an_image
    return LOGO_FORMATS[image.format]


@atomic
def organisation_save(
    *,
    organisation: Organisation,
    by,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> Organisation:
    """Add or change a body, or a group within one (its details set on the instance). A group
    that people or posts are listed under keeps its body. A new `logo` (the file's bytes) is a
    PNG or JPEG of at most 512 KB; `remove_logo` removes the one recorded. A body with a logo
    says what it shows (`logo_alt`), for people who cannot see it. A change to how the body
    writes times reopens the approval of its approved minutes."""
    if remove_logo:
        organisation.logo, organisation.logo_type = None, ""
    if logo:
        organisation.logo_type, organisation.logo = _logo_type(logo), logo
    if organisation.logo and not organisation.logo_alt.strip():
        raise RecordError(
            _("Say what the logo shows, for people who cannot see it."), field="logo_alt"
        )
    stored = _stored(organisation, None)
    if stored is not None and stored.parent_id != organisation.parent_id:
        listed = [stored.attendance, stored.memberships, stored.members, stored.posts]
        if _named([related.all() for related in listed]):
            raise RecordError(
                _(
                    "People are listed under %(group)s in the record of %(body)s, so it stays "
                    "in that body."
                )
                % {"group": stored.name, "body": stored.parent or stored},
                field="parent",
            )
    if _changed(organisation, stored, BODY_PRINTED_FIELDS):
        _reopen_approved(Meeting.objects.filter(board__body=organisation.pk), by)
    organisation.save()
    return organisation


@atomic
def person_save(*, person: Person, by, expected_version: int | None = None) -> Person:
    """Add or change a person of the record (as the page sets them). Someone already named in
    a body's record keeps that body; an account is linked to one person only."""
    stored = _stored(person, expected_version)
    _require_body_kept(
        person,
        stored,
        stored is not None
        and _named(
            [
                stored.attendance.all(),
                stored.meetings_chaired.all(),
                Meeting.named_people.through.objects.filter(person=stored.pk),
                stored.memberships.all(),
                stored.appointments.all(),
                stored.actions_owned.all(),
            ]
        ),
    )
    require_in_body(person.body, person.organisation, "organisation")
    if person.user_id is not None:
        _require_account_free(person, person.user)
    _credit(person, by)
    person.save()
    return person


@atomic
def role_save(*, role: Role, by, expected_version: int | None = None) -> Role:
    """Add or change a post (as the page sets it). A post already named in a body's record keeps
    that body."""
    stored = _stored(role, expected_version)
    _require_body_kept(
        role,
        stored,
        stored is not None
        and _named(
            [
                stored.attendance.all(),
                stored.meetings_chaired.all(),
                Meeting.named_roles.through.objects.filter(role=stored.pk),
                stored.memberships.all(),
                stored.appointments.all(),
                stored.responses.all(),
                stored.actions_owned.all(),
            ]
        ),
    )
    require_in_body(role.body, role.organisation, "organisation")
    _credit(role, by)
    role.save()
    return role


@atomic
def board_save(*, board: Board, by, expected_version: int | None = None) -> Board:
    """Add or change a board's settings (as the page sets them). A board with meetings, members
    or actions keeps its body: its action numbers and records are that body's. A change to what
    its minutes print (`BOARD_PRINTED_FIELDS`) reopens the approval of its approved minutes."""
    stored = _stored(board, expected_version)
    _require_body_kept(
        board,
        stored,
        stored is not None
        and _named([stored.meetings.all(), stored.memberships.all(), stored.actions.all()]),
    )
    if stored is not None:
        board.next_action_number = stored.next_action_number  # moved on only by numbering
        if _changed(board, stored, BOARD_PRINTED_FIELDS):
            _reopen_approved(stored.meetings.all(), by)
    _credit(board, by)
    board.save()
    return board


@atomic
def appointment_save(*, appointment: Appointment, by) -> Appointment:
    """Add or change who holds a post, when (as the page sets it): a post is held by a person
    of its own body."""
    require_in_body(appointment.role.body, appointment.person, "person")
    if appointment.start_on and appointment.end_on and appointment.end_on < appointment.start_on:
        raise RecordError(_("An appointment cannot end before it starts."), field="end_on")
    _stored(appointment, None)
    _credit(appointment, by)
    appointment.save()
    return appointment


@atomic
def appointment_delete(*, appointment: Appointment, by) -> None:
    appointment.delete()


@atomic
def board_membership_save(*, membership: BoardMembership, by) -> BoardMembership:
    """Add or change a board member (as the page sets it): the person, post and group are of
    the board's body."""
    body = membership.board.body
    for field in ("person", "role", "organisation"):
        require_in_body(body, getattr(membership, field), field)
    if membership.start_on and membership.end_on and membership.end_on < membership.start_on:
        raise RecordError(_("a membership cannot end before it starts"), field="end_on")
    _credit(membership, by)
    membership.save()
    return membership


@atomic
def board_membership_delete(*, membership: BoardMembership, by) -> None:
    membership.delete()
