"""How long the minutes PDF takes to render, against WeasyPrint alone on the same HTML.

Run: .venv/bin/python benchmarks/bench_render.py

It works on a throwaway SQLite database: the largest demo fixture, and a synthetic meeting of
100 items (minutes, a question and an action with an owner under each). For each document it
times minutes.documents.render_minutes_pdf (context, template, fetcher, PDF/UA) and WeasyPrint
alone on the same HTML and stylesheet, best and median of three runs. Ours renders in a child
process with a memory cap and a time limit; its peak memory is reported beside this process's
peak so far (ru_maxrss, so documents run smallest first).
"""

import datetime
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from io import BytesIO, StringIO
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", 3))
SYNTHETIC_ITEMS = int(os.environ.get("BENCH_RENDER_ITEMS", 100))

PARAGRAPHS = [
    "The Chief Constable presented the report, which set out performance against the "
    "priorities of the Police and Crime Plan for the quarter. Good reductions were reported in "
    "criminal damage and domestic burglary, and the volume of antisocial behaviour had fallen.",
    "The Deputy Police and Crime Commissioner asked how the force would evidence that the "
    "strategic, integrated approach had been developed and implemented across the local "
    "policing areas, and what part partners would play in the work over the coming year.",
    "The Assistant Chief Constable explained that a tasking group was looking into high risk "
    "cases and the opportunities for early intervention, and that the results would be reported "
    "to a future meeting of the board together with the costs of the pilot.",
]


def setup_django(database: Path) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "scrutiny.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    seeded = os.environ.get("BENCH_SQLITE_MIGRATED")  # a migrated empty file to start from
    if seeded and not Path(database).exists():
        shutil.copyfile(seeded, database)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _text_size(items: list[dict]) -> tuple[int, int]:
    """Items (at every depth) and characters of text in them."""
    count = chars = 0
    for item in items:
        count += 1
        chars += len(json.dumps(item, ensure_ascii=False))
        sub_count, _sub_chars = _text_size(item.get("items", []))
        count += sub_count
    return count, chars


def largest_fixture() -> Path:
    fixtures = sorted((BASE_DIR / "fixtures").glob("*.json"))
    sizes = {path: _text_size(json.loads(path.read_text("utf-8"))["items"]) for path in fixtures}
    # Characters first: the text, more than the count of items, decides the page count.
    return max(fixtures, key=lambda path: (sizes[path][1], sizes[path][0]))


def import_fixture(path: Path):
    from django.core.management import call_command

    from meetings.models import Meeting

    data = json.loads(path.read_text("utf-8"))
    call_command("import_meeting", str(path), stdout=StringIO())
    return Meeting.objects.get(
        board__action_prefix=data["board"]["action_prefix"],
        held_on=data["meeting"]["date"],
        title=data["meeting"].get("title", ""),
    )


def synthetic_meeting(items: int = SYNTHETIC_ITEMS):
    from actions.services import action_create
    from meetings.models import (
        AgendaItem,
        Attendance,
        Board,
        Meeting,
        Organisation,
        Person,
        Question,
        Role,
    )

    body, _ = Organisation.objects.get_or_create(parent=None, name="Benchmark OPCC")
    board = Board.objects.create(
        body=body, name="Benchmark Board", slug="benchmark", action_prefix="BEN"
    )
    meeting = Meeting.objects.create(
        board=board,
        held_on=datetime.date(2024, 1, 31),
        start_time=datetime.time(10, 0),
        end_time=datetime.time(13, 0),
        venue="Police Headquarters",
    )
    roles = [
        Role.objects.create(body=body, abbrev=abbrev, title=title)
        for abbrev, title in [
            ("CC", "Chief Constable"),
            ("DCC", "Deputy Chief Constable"),
            ("ACC", "Assistant Chief Constable"),
            ("CFO", "Chief Finance Officer"),
        ]
    ]
    for position, role in enumerate(roles):
        person = Person.objects.create(body=body, name=f"Officer {position + 1}")
        Attendance.objects.create(meeting=meeting, position=position, person=person, role=role)
    for n in range(1, items + 1):
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=n,
            number=str(n),
            title=f"Performance report {n}: neighbourhood policing and partnership working",
            minutes="\n\n".join(PARAGRAPHS),
        )
        Question.objects.create(
            item=item,
            question=f"How will the improvements in report {n} be sustained next year?",
            asked_by="OPCC",
            response="Through the quarterly performance framework and the tasking group.",
            responder=roles[n % len(roles)],
        )
        action_create(
            board=board,
            text=f"Report the outcome of the pilot in area {n} to the next meeting.",
            owners=[roles[n % len(roles)]],
            raised_at=meeting,
            item=item,
            by=None,
        )
    return meeting


def timed(function, runs: int = RUNS) -> tuple[list[float], bytes]:
    seconds, result = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def pages_of(pdf: bytes) -> int:
    import pikepdf

    with pikepdf.open(BytesIO(pdf)) as document:
        return len(document.pages)


def measure(label: str, meeting) -> dict:
    from weasyprint import CSS, HTML

    from minutes.documents import minutes_html, render_minutes_pdf
    from scrutiny.pdf import PDF_ASSETS, render

    ours, pdf = timed(lambda: render_minutes_pdf(meeting, public=True))
    html = minutes_html(meeting, public=True)
    css = (PDF_ASSETS / "document.css").read_text(encoding="utf-8")

    def weasyprint_alone() -> bytes:
        return HTML(string=html).write_pdf(stylesheets=[CSS(string=css)], pdf_variant="pdf/ua-1")

    alone, _pdf = timed(weasyprint_alone)
    renderer_peak = render(html).peak_kib  # ours renders in a child process: its own peak
    return {
        "document": label,
        "pages": pages_of(pdf),
        "bytes": len(pdf),
        "ours": ours,
        "alone": alone,
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "renderer_mib": renderer_peak / 1024,
    }


def print_table(rows: list[dict]) -> None:
    header = (
        f"{'document':<40} {'pages':>5} {'bytes':>9} {'ours best/median (s)':>21} "
        f"{'WeasyPrint alone (s)':>21} {'ratio':>6} {'renderer peak (MiB)':>20} "
        f"{'this process (MiB)':>19}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ours = f"{min(row['ours']):.2f} / {statistics.median(row['ours']):.2f}"
        alone = f"{min(row['alone']):.2f} / {statistics.median(row['alone']):.2f}"
        ratio = statistics.median(row["ours"]) / statistics.median(row["alone"])
        print(
            f"{row['document']:<40} {row['pages']:>5} {row['bytes']:>9,} {ours:>21} "
            f"{alone:>21} {ratio:>6.2f} {row['renderer_mib']:>20.0f} {row['rss_mib']:>19.0f}"
        )
    print(
        f"\nBest and median of {RUNS} runs; ratio = median ours / median WeasyPrint alone; "
        "renderer peak is the resident memory of our renderer's child process (capped by "
        "scrutiny.pdf.RENDER_MEMORY_MB); this process's is its peak so far, WeasyPrint alone "
        "included."
    )


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="scrutiny-bench-") as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        fixture = largest_fixture()
        rows = [
            measure(f"{fixture.stem} (largest fixture)", import_fixture(fixture)),
            measure(f"synthetic, {SYNTHETIC_ITEMS} items", synthetic_meeting()),
        ]
    print_table(rows)
    print(f"Total time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
