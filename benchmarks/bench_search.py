"""How long a visitor's search takes over many published meetings, and whether it uses the index.

Run: DATABASE_URL=postgresql://... .venv/bin/python benchmarks/bench_search.py [MEETINGS]
     DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python benchmarks/bench_search.py

It builds a throwaway test database (test_<name>, dropped at the end) with MEETINGS published
meetings (default 5,000) of 20 passages each (items, questions, responses, actions), then times
minutes.search.search for an anonymous visitor (best and median of five runs) for a common
word, a rare word and a phrase, and on PostgreSQL prints whether the plan uses the GIN index.
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrutiny.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.contrib.postgres.search import SearchQuery  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from meetings.models import (  # noqa: E402
    Board,
    Meeting,
    Organisation,
    Publication,
    PublishedText,
)
from minutes import search  # noqa: E402

WORDS = (
    "budget precept officers burglary policing custody demand mental health partnership "
    "reserves collaboration estate fleet training victims performance inspection report "
    "strategy recruitment funding pensions efficiency programme"
).split()


def passage(n: int) -> str:
    return " ".join(WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(60)) + "."


def build(meetings: int) -> None:
    body = Organisation.objects.create(name="Bench OPCC")
    board = Board.objects.create(body=body, name="Bench Board", slug="bench", action_prefix="B")
    start = datetime.date(1990, 1, 1)
    Meeting.objects.bulk_create(
        Meeting(board=board, held_on=start + datetime.timedelta(days=n), status="published")
        for n in range(meetings)
    )
    now = timezone.now()
    Publication.objects.bulk_create(
        Publication(meeting=m, version=1, published_at=now, minutes_html="", title=str(m.held_on))
        for m in Meeting.objects.filter(board=board)
    )
    rows = []
    for publication in Publication.objects.all().iterator():
        for k in range(20):
            kind = ("item", "question", "response", "action")[k % 4]
            text = passage(publication.pk * 20 + k)
            if publication.pk % 997 == 0 and k == 0:
                text += " Zanzibar rarity."
            rows.append(
                PublishedText(
                    publication=publication, kind=kind, position=k, title=f"Item {k}", text=text
                )
            )
        if len(rows) >= 20_000:
            PublishedText.objects.bulk_create(rows)
            rows = []
    PublishedText.objects.bulk_create(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(query: str) -> tuple[float, float, int]:
    runs = []
    found = 0
    for _ in range(5):
        started = time.perf_counter()
        found = len(search.search(query, AnonymousUser()))
        runs.append(time.perf_counter() - started)
    return min(runs), statistics.median(runs), found


def main() -> None:
    meetings = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        build(meetings)
        print(
            f"{connection.vendor}: {meetings:,} published meetings, "
            f"{PublishedText.objects.count():,} passages, built in "
            f"{time.perf_counter() - started:.1f} s"
        )
        for query in ("budget", "zanzibar", '"mental health" custody'):
            best, median, found = timed(query)
            print(
                f"  search {query!r:28} best {best * 1000:7.1f} ms  median {median * 1000:7.1f} "
                f"ms  {found} results (capped at {search.MAX_RESULTS})"
            )
        if connection.vendor == "postgresql":
            tsquery = SearchQuery("zanzibar", search_type="websearch", config="english")
            plan = (
                search.public_texts()
                .filter(language="en")
                .annotate(found=search.search_vector("english"))
                .filter(found=tsquery)
                .explain(analyze=True)
            )
            uses = "publishedtext_search_en" in plan
            print(f"  the rare word's plan uses the GIN index: {uses}")
            print("  " + plan.splitlines()[-1].strip())
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
