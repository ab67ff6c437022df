"""iCalendar (RFC 5545) for upcoming meetings: small enough to write by hand, and escaped."""

import datetime

from django.utils import timezone


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return "".join(ch for ch in text if ch == "\t" or ord(ch) >= 32)


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded, as the RFC requires."""
    out, current = [], b""
    for ch in line:
        encoded = ch.encode("utf-8")
        if len(current) + len(encoded) > 74:
            out.append(current.decode("utf-8"))
            current = b" "
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n".join(out)


def feed(publications, *, host: str) -> str:
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Scrutiny//Board meetings//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:" + _escape("Board meetings"),
    ]
    for publication in publications:
        board = publication.meeting.board
        day = publication.next_meeting_on
        lines += [
            "BEGIN:VEVENT",
            f"UID:{board.slug}-{day:%Y%m%d}@{_escape(host)}",
            f"DTSTAMP:{stamp}",
            "SUMMARY:" + _escape(f"{board.name} ({board.body.name})"),
        ]
        if publication.next_meeting_start:
            start = datetime.datetime.combine(day, publication.next_meeting_start)
            lines.append(f"DTSTART;TZID=Europe/London:{start:%Y%m%dT%H%M%S}")
        else:
            lines.append(f"DTSTART;VALUE=DATE:{day:%Y%m%d}")
        if publication.next_meeting_venue:
            lines.append("LOCATION:" + _escape(publication.next_meeting_venue))
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
