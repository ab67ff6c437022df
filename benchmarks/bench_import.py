"""Meetings imported a second, for published files, beside validating the same files alone.

Run: .venv/bin/python benchmarks/bench_import.py                         (cheap: SQLite)
     .venv/bin/python benchmarks/bench_import.py --database postgresql://postgres@127.0.0.1:55432/big

Generated meetings are exported in the interchange format, renamed to a body of their own, and
imported as one batch in a transaction that is rolled back afterwards, so the database is left
as it was. A published file's publication is queued (a task row per meeting), as in production;
the benchmark then times that task's work for each meeting in the same transaction (building
the public snapshot and queueing its PDFs, which it does not render), as a worker would do it.
Two batches are timed: the board's first files (--files) and, when it has more, all of its
meetings, whose later files each review every action still outstanding.
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402


def main() -> None:
    parser = common.parser(__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=int(os.environ.get("BENCH_FILES", 20)))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 3)))
    args = parser.parse_args()
    common.setup(args.database)
    size = common.ensure_data(boards=args.boards, years=args.years, seed=1)

    import json

    from django.db import connection, transaction
    from django.test.utils import override_settings

    from meetings.models import Board, Meeting
    from minutes.interchange.exporter import export_meeting_document
    from minutes.interchange.importer import import_meeting_files, validate_document
    from minutes.interchange.validation import walk_items

    board = Board.objects.filter(slug__startswith="gen-").order_by("pk").first()
    meetings = list(
        Meeting.objects.filter(board=board, status=Meeting.Status.PUBLISHED).order_by("held_on")
    )
    folder = Path(tempfile.mkdtemp(prefix="scrutiny-bench-import-"))
    every = []
    for n, meeting in enumerate(meetings):
        document = export_meeting_document(meeting)
        document["organisation"] = "Benchmark import body"
        document["meeting"]["status"] = "published"
        path = folder / f"{n:03}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        every.append(path)

    class Rollback(Exception):
        pass

    def publish(meeting_id: int) -> None:
        """What the worker runs for a queued meeting (its PDFs are further tasks)."""
        from minutes.tasks import publish_meeting

        publish_meeting.call(meeting_id=meeting_id, user_id=None, note="", imported=True)

    print(f"\n== Import of published meeting files at {size['actions']:,} actions")
    print(common.machine())
    # A board's first meetings review few actions; later ones review every action still
    # outstanding (generated, 100 boards x 10 years: 4 a meeting over the first 20, 43 over the
    # ten years, 73 over the last five): the first files alone flatter the rate, so the board's
    # whole record is imported too.
    batches = [("the board's first meetings", every[: args.files])]
    if len(every) > args.files:
        batches.append((f"all the board's meetings ({args.years} years)", every))
    tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for label, paths in batches:
        documents = [json.loads(p.read_text("utf-8")) for p in paths]
        imports, validations, publications, statements = [], [], [], 0
        for run in range(args.runs + 1):
            seconds, _ = common.timed(lambda d=documents: [validate_document(x) for x in d])
            counted = []  # every statement (CaptureQueriesContext keeps only the last 9,000)

            def count(execute, sql, params, many, context, counted=counted):
                counted.append(1)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count), override_settings(TASKS=tasks):
                try:
                    with transaction.atomic():
                        took, imported = common.timed(lambda p=paths: import_meeting_files(p))
                        queued = [m.pk for m in imported if m.publishing == "queued"]
                        published, _ = common.timed(lambda q=queued: [publish(pk) for pk in q])
                        raise Rollback
                except Rollback:
                    pass
            if run == 0:
                continue  # warm-up
            imports.append(took)
            publications.append(published / len(queued) if queued else 0.0)
            validations.append(seconds)
            statements = len(counted)
        n = len(paths)
        reviews = sum(
            len(item.get("action_reviews", []))
            for d in documents
            for _path, item in walk_items(d["items"])
        )
        per_second = n / (common.median_ms(imports) / 1000)
        print(
            f"{label}, {n} files ({reviews / n:.0f} progress reports a meeting): "
            f"{per_second:.1f} meetings a second ({common.median_ms(imports) / n:.1f} ms and "
            f"{statements / n:.0f} statements a meeting), median of {args.runs}"
        )
        publish_ms = common.median_ms(publications)
        print(
            f"  then in the task worker: {publish_ms:.1f} ms a meeting to build its publication "
            f"({1000 / publish_ms if publish_ms else 0:.1f} a second for one worker; PDFs not "
            "rendered)"
        )
        anchor = common.median_ms(validations) / n
        print(f"  anchor, validating the same files alone: {anchor:.1f} ms a meeting")


if __name__ == "__main__":
    main()
