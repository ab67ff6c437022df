"""The public actions log of a board: what its live publications printed, and nothing else.

Each publication stores, with its frozen minutes, the actions they print (`Publication.actions`):
those raised under an open item, with text, owners and due date as printed, and those reviewed
under an open item, with the progress minuted there (only the ref where the action was raised
elsewhere). The log is rebuilt from the board's live publications whenever one is published or
withdrawn, so an action's text reaches the public only while a live publication of the meeting
that raised it prints it, and a withdrawal takes away at once what that publication alone made
public.

A Welsh body's publication prints its Welsh minutes from the same record at the same moment:
its rows carry each text's Welsh twin as those minutes printed it ("text_cy", "summary_cy",
"progress_cy", only where there is one), and the log keeps them beside the English, so the
Welsh log shows what the Welsh minutes printed and never a Welsh text edited since.
"""

import datetime

from django.db import transaction

from meetings.models import Board, Publication
from minutes.content import MinutesContent
from minutes.models import PublicAction
from scrutiny.languages import in_language


def snapshot_rows(content: MinutesContent, *, welsh: bool = False) -> list[dict]:
    """The actions the public minutes print, as stored with the publication; with `welsh`
    (the publication prints Welsh minutes too), the Welsh twins those minutes print."""
    rows: dict[int, dict] = {}

    def twin(row: dict, key: str, obj, field_name: str) -> None:
        if welsh and (text := getattr(obj, f"{field_name}_cy", "")):
            row[f"{key}_cy"] = text

    for action in content.new_actions:
        rows[action.pk] = {
            "id": action.pk,
            "number": action.number,
            "ref": action.ref,
            "raised": True,
            "text": action.text,
            "owners": [
                {
                    "label": owner.label,
                    "title": owner.role.title if owner.role_id else "",
                }
                for owner in action.owners.all()
            ],
            "due": action.due_on.isoformat() if action.due_on else None,
        }
        twin(rows[action.pk], "text", action, "text")
    for review in content.reviews:
        action = review.action
        row = rows.setdefault(
            action.pk,
            {"id": action.pk, "number": action.number, "ref": action.ref, "raised": False},
        )
        row["progress"] = review.text
        twin(row, "progress", review, "text")
        if review.summary:  # the action as this meeting's review printed it
            row["summary"] = review.summary
            twin(row, "summary", review, "summary")
            row["summary_owners"] = list(review.printed_owners or [])
            row["summary_due"] = (
                review.printed_due_on.isoformat() if review.printed_due_on else None
            )
    return list(rows.values())


WELSH_TWINS = ("text", "summary", "progress")


def rows_in_welsh(rows: list[dict]) -> list[dict]:
    """The stored rows as the Welsh minutes printed them: each text its Welsh twin where they
    printed one, else the English."""
    return [
        {**row, **{key: in_language(row, key, "cy")[0] for key in WELSH_TWINS if key in row}}
        for row in rows
    ]


def build_log(
    publications: list[tuple[int, datetime.date, list[dict]]], legacy_raised, *, welsh: bool = False
) -> dict:
    """The log's entries, from the newest live version of each meeting of a board, given as
    (meeting id, meeting date, stored actions) in meeting order. Pure, so that the migration that
    first built the log uses it too (with the model of its day: the Welsh twins only with
    `welsh`). `legacy_raised` holds (action id, meeting id) pairs for publications made before
    the stored rows said whether the meeting raised the action."""
    entries: dict[int, dict] = {}

    def twins(**texts: str) -> dict:
        return texts if welsh else {}

    for meeting_id, held_on, rows in publications:
        for row in rows:
            entry = entries.setdefault(
                row["id"],
                {
                    "number": row.get("number") or int(row["ref"].rsplit(" ", 1)[-1]),
                    "ref": row["ref"],
                    "year": held_on.year,
                },
            )
            if row.get("raised", (row["id"], meeting_id) in legacy_raised):
                owners = row.get("owners") or []
                if isinstance(owners, str):  # before the log kept each owner's title
                    owners = [{"label": label, "title": ""} for label in owners.split(" / ")]
                due = row.get("due")
                entry.update(
                    text=row.get("text", ""),
                    **twins(text_cy=row.get("text_cy", "")),
                    owners=owners,
                    due_on=datetime.date.fromisoformat(due) if due else None,
                    raised_at_meeting_id=meeting_id,
                    year=held_on.year,
                )
            elif row.get("summary") and "raised_at_meeting_id" not in entry:
                # Raised at a meeting that is not published (or never recorded): the public
                # knows the action only as a published review printed it.
                due = row.get("summary_due")
                entry.update(
                    text=row["summary"],
                    **twins(text_cy=row.get("summary_cy", "")),
                    owners=[{"label": label, "title": ""} for label in row["summary_owners"]],
                    due_on=datetime.date.fromisoformat(due) if due else None,
                )
            if row.get("progress"):
                entry.update(
                    progress=row["progress"],
                    **twins(progress_cy=row.get("progress_cy", "")),
                    progress_meeting_id=meeting_id,
                )
    return entries


def legacy_rows(publications) -> set[int]:
    """Actions named by stored rows older than the "raised" flag."""
    return {row["id"] for _m, _d, rows in publications for row in rows if "raised" not in row}


@transaction.atomic
def public_actions_rebuild(*, board: Board) -> int:
    """Rebuild the board's public actions log from its live publications; returns its size."""
    from actions.models import Action

    latest: dict[int, Publication] = {}
    for publication in (
        Publication.objects.live()
        .filter(meeting__board=board)
        .select_related("meeting")
        .only("meeting__held_on", "meeting_id", "version", "actions")
        .order_by("meeting_id", "version")
    ):
        latest[publication.meeting_id] = publication  # the newest live version of each meeting
    ordered = [
        (p.meeting_id, p.meeting.held_on, p.actions)
        for p in sorted(latest.values(), key=lambda p: (p.meeting.held_on, p.meeting_id))
    ]
    legacy = legacy_rows(ordered)
    legacy_raised = set(
        Action.objects.filter(pk__in=legacy).values_list("pk", "raised_at_meeting_id")
        if legacy
        else ()
    )
    entries = build_log(ordered, legacy_raised, welsh=True)
    PublicAction.objects.filter(board=board).delete()
    PublicAction.objects.bulk_create(
        [PublicAction(action_id=pk, board=board, **entry) for pk, entry in entries.items()],
        batch_size=1000,
    )
    return len(entries)
