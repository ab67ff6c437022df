"""Server time of a staff preview of the minutes now that a worker renders it, beside the render
the request used to do (issue 14: no request holds a worker for more than a second).

Run: .venv/bin/python benchmarks/bench_preview.py          (cheap: SQLite, generated data)
     .venv/bin/python benchmarks/bench_preview.py --database \\
         postgresql://postgres@127.0.0.1:55432/<a copy of m120k>   (120,000 actions)
For the meeting with the most action reviews (the longest generated minutes) and the full
minutes: the old request (HTML and WeasyPrint), then each request of the new flow (the preview
link, its page while queued, its page and its PDF once ready: both check that the meeting has not
changed since) and the worker's render, medians of RUNS after one warm-up.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402


def main() -> None:
    parser = common.parser(__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 3)))
    args = parser.parse_args()
    common.setup(args.database)
    common.collect_static()
    size = common.ensure_data(boards=args.boards, years=args.years, seed=args.seed)

    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from meetings.models import Meeting
    from minutes.documents import minutes_html
    from minutes.models import DocumentPreview
    from minutes.tasks import render_preview
    from scrutiny.pdf import render_pdf

    users = get_user_model().objects
    staff = users.filter(username="bench-staff").first() or users.create_superuser(
        "bench-staff", "bench@example.org", "bench-password-not-secret"
    )
    meeting = (
        Meeting.objects.annotate(reviews=Count("action_updates", distinct=True))
        .order_by("-reviews", "pk")
        .first()
    )
    client = Client()
    client.force_login(staff)

    def measure(fn) -> tuple[float, object]:
        fn()  # warm-up
        samples, result = [], None
        for _ in range(args.runs):
            seconds, result = common.timed(fn)
            samples.append(seconds)
        return common.median_ms(samples), result

    rows = []
    old, _pdf = measure(lambda: render_pdf(minutes_html(meeting, public=False)))
    rows.append(("before: the preview request rendered (HTML + WeasyPrint)", old))
    link = reverse("minutes:preview-document", args=[meeting.pk, "minutes", "full"])
    ms, _response = measure(lambda: client.get(link))
    rows.append(("the preview link (shows a button, or leads to the one kept)", ms))
    ms, response = measure(lambda: client.post(link))
    rows.append(("its button (queues, or reuses the queued one)", ms))
    page = response["Location"]
    ms, _response = measure(lambda: client.get(page))
    rows.append(("its page while queued", ms))
    preview = DocumentPreview.objects.get(pk=page.rstrip("/").rsplit("/", 1)[1])
    seconds, _result = common.timed(lambda: render_preview.call(str(preview.pk)))
    rows.append(("the worker's render (not a request)", seconds * 1000))
    ms, response = measure(lambda: client.get(page))
    assert b"The preview is ready." in response.content, "the preview was not prepared"
    rows.append(("its page once ready (checks the meeting is unchanged)", ms))
    ms, response = measure(lambda: client.get(page.rstrip("/") + ".pdf"))
    assert response["Content-Type"] == "application/pdf"
    rows.append((f"its PDF ({len(response.content) / 1024:.1f} KB, checks too)", ms))

    print(common.machine())
    print(
        f"{size['actions']:,} actions; meeting {meeting.pk}: {meeting.items.count()} items, "
        f"{meeting.reviews} action reviews"
    )
    print(f"{'Staff preview of the full minutes':<62} median ms")
    for label, ms in rows:
        print(f"{label:<62} {ms:9.1f}")


if __name__ == "__main__":
    main()
