"""Server time of the search page at a generated data size: a visitor's search of the published
record and a clerk's of the full record, for a common word, a phrase and a word found nowhere,
on the first page of results and on a later one.

Run: .venv/bin/python benchmarks/bench_search.py          (cheap: 2 boards x 2 years, SQLite)
     .venv/bin/python benchmarks/bench_search.py --boards 10 --years 10 \\
         --database postgresql://postgres@127.0.0.1:55432/s12   (1,190 published meetings,
                                                                  about 80,000 passages)
The database is filled by `manage.py generate_data` (which stores each publication's passages
as publication does) unless it already holds generated boards; publications without passages
(databases generated before search stored them) are given theirs first. Each search is
requested RUNS times after one warm-up, through Django's test client in this process (no
network): the figures are medians, with the query count and the number of results (every
match). On PostgreSQL it also prints the plan of the visitors' ranking query for the common
word.
"""

import os
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

SEARCHES = [
    ("common word", "plan", 1),
    ("common word, page 5", "plan", 5),
    ("common word, page 50", "plan", 50),
    ("phrase", '"body worn video"', 1),
    ("found nowhere", "giraffe", 1),
]


def main() -> None:
    parser = common.parser(__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 5)))
    args = parser.parse_args()
    common.setup(args.database)
    common.collect_static()
    common.ensure_data(boards=args.boards, years=args.years, seed=args.seed)
    common.ensure_search_passages()  # older generated databases have none

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from meetings.models import PublishedText
    from scrutiny.groups import CLERK, ensure_groups

    users = get_user_model().objects
    clerk = users.filter(username="bench-clerk").first()
    if clerk is None:
        clerk = users.create_user("bench-clerk", password="bench-password-not-secret")
        clerk.groups.add(ensure_groups()[CLERK])
    visitor, staff = Client(), Client()
    staff.force_login(clerk)

    def fetch(client, query, page):
        url = reverse("minutes:search") + "?" + urlencode({"q": query, "page": page})
        with CaptureQueriesContext(connection) as queries:
            seconds, response = common.timed(lambda: client.get(url))
        assert response.status_code == 200, (url, response.status_code)
        found = re.search(r"(\d[\d,]*) results?", response.content.decode())
        return seconds, len(queries), found.group(1) if found else "?"

    rows = [
        (f"{reader}: {name}", client, query, page)
        for reader, client in (("visitor", visitor), ("clerk", staff))
        for name, query, page in SEARCHES
    ]
    samples = {name: [] for name, *_ in rows}
    facts = {}
    for run in range(args.runs + 1):
        for name, client, query, page in rows:
            seconds, queries, found = fetch(client, query, page)
            if run:  # the first is a warm-up
                samples[name].append(seconds)
                facts[name] = (queries, found)

    passages = PublishedText.objects.count()
    print(f"\n== Search at {passages:,} published passages; median of {args.runs} runs")
    print(common.machine())
    print(f"{'search':36} {'ms':>8} {'queries':>8} {'results':>8}")
    for name, *_ in rows:
        queries, found = facts[name]
        print(f"{name:36} {common.median_ms(samples[name]):8.1f} {queries:8} {found:>8}")

    if connection.vendor == "postgresql":
        from minutes import search

        source = search._public_sources()[0]  # the published passages in English
        ranking = source.matching("plan").order_by("-rank", "pk")
        plan = ranking[: search.FIRST_DEPTH].explain(analyze=True)
        index = "meetings_publishedtext_search_vector"
        print(f"visitors' ranking query for 'plan' reads the GIN index {index}: {index in plan}")
        print("  " + plan.splitlines()[-1].strip())


if __name__ == "__main__":
    main()
