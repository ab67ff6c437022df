"""Server time of the register and the other big pages at a generated data size, each beside
the Django admin changelist of the same actions with the same filter, measured in the same run.

Run: .venv/bin/python benchmarks/bench_pages.py          (cheap: ~500 actions, SQLite)
     .venv/bin/python benchmarks/bench_pages.py --boards 100 --years 10 \\
         --database postgresql://postgres@127.0.0.1:55432/big   (120,000 actions)
The database is filled by `manage.py generate_data` unless it already holds generated boards.
Each page and its anchor are requested alternately, RUNS times after one warm-up; the figures are
medians, with the query count and the size of the response.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

SLOW = {"admin change page of one meeting"}
# Each run draws the public pages afresh once (the first request after any change), then
# serves them again from the visitors' copies kept by the first.
DRAWN = ", drawn"


def main() -> None:
    parser = common.parser(__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 3)))
    parser.add_argument(
        "--admin-page",
        action="store_true",
        default=bool(os.environ.get("BENCH_ADMIN_PAGE")),
        help="also the admin change page of one meeting (seconds a request, measured once)",
    )
    parser.add_argument(
        "--after-change",
        action="store_true",
        help="the register only, each request the first after a change: before every request "
        "(and its anchor) one action's owners are changed through action_reassign",
    )
    args = parser.parse_args()
    common.setup(args.database)
    common.collect_static()
    size = common.ensure_data(boards=args.boards, years=args.years, seed=args.seed)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from actions.models import Action, ActionOwner
    from meetings.models import Appointment, Board, Meeting
    from scrutiny.public_cache import generation_bump

    today = timezone.localdate()
    users = get_user_model().objects
    staff = users.filter(username="bench-staff").first() or users.create_superuser(
        "bench-staff", "bench@example.org", "bench-password-not-secret"
    )
    board = Board.objects.filter(slug__startswith="gen-").order_by("pk").first()
    # The force lead: whoever holds the post owning most of the board's actions today.
    held = Appointment.objects.current(today).values("role")
    busiest = (
        ActionOwner.objects.filter(action__board=board, role__in=held)
        .values("role")
        .annotate(owned=Count("pk"))
        .order_by("-owned", "role")
        .values_list("role", flat=True)
        .first()
    )
    lead = (
        Appointment.objects.current(today)
        .filter(role=busiest)
        .select_related("person")
        .first()
        .person
    )
    if lead.user_id is None:
        lead.user = users.create_user(f"bench-lead-{lead.pk}", password="bench-password-not-secret")
        lead.save(update_fields=["user"])
    meeting = (
        Meeting.objects.filter(board=board, status=Meeting.Status.PUBLISHED)
        .order_by("-held_on")
        .first()
    )
    number = (
        Action.objects.filter(board=board).order_by("number").values_list("number", flat=True)[59]
    )
    everyone = ["open", "in_progress", "completed", "closed", "withdrawn"]
    register, admin = "/actions/", "/admin/actions/action/"

    def q(**params):
        return "?" + urlencode(params, doseq=True) if params else ""

    rows = [
        ("/actions/ default", register, staff, admin + q(status__in="open,in_progress,completed")),
        ("/actions/ all statuses", register + q(status=everyone), staff, admin),
        (
            "/actions/ free text",
            register + q(q="mental health", status=everyone),
            staff,
            admin + q(q="mental health"),
        ),
        (
            "/actions/ by ref",
            register + q(q=f"{board.action_prefix} {number}", status=everyone),
            staff,
            admin + q(q=number, board__id__exact=board.pk),
        ),
        (
            "/actions/ by person",
            register + q(owner_person=lead.pk, status=everyone),
            staff,
            admin + q(board__id__exact=board.pk),
        ),
        (
            "/actions/ by meeting",
            register + q(raised_at=meeting.held_on.isoformat(), board=board.pk, status=everyone),
            staff,
            admin + q(board__id__exact=board.pk),
        ),
        (
            "/actions/mine/ with text",
            "/actions/mine/" + q(q="training", show="all"),
            lead.user,
            None,
        ),
        ("public home page, drawn", "/en/", None, None),  # every body's boards
        ("public board actions log, drawn", f"/en/boards/{board.slug}/actions/", None, None),
        ("public board page, drawn", f"/en/boards/{board.slug}/", None, None),
        ("public body home page, drawn", f"/en/{board.body.slug}/", None, None),
        ("public meeting page, drawn", f"/en/meetings/{meeting.pk}/", None, None),
        ("public home page", "/en/", None, None),
        ("public board actions log", f"/en/boards/{board.slug}/actions/", None, None),
        ("public board page", f"/en/boards/{board.slug}/", None, None),
        ("public body home page", f"/en/{board.body.slug}/", None, None),
        ("public meeting page", f"/en/meetings/{meeting.pk}/", None, None),
        (
            "admin change page of one meeting",
            f"/admin/meetings/meeting/{meeting.pk}/change/",
            staff,
            None,
        ),
        ("admin add-action page", "/admin/actions/action/add/", staff, None),
        ("admin progress list", "/admin/actions/actionupdate/", staff, None),
        ("staff meeting record", f"/en/meetings/{meeting.pk}/", staff, None),
        ("action review", f"/actions/meetings/{meeting.pk}/", staff, None),
    ]
    if not args.admin_page:
        rows = [row for row in rows if row[0] not in SLOW]
    first_drawn = next((row[0] for row in rows if row[0].endswith(DRAWN)), None)
    change = None
    if args.after_change:
        from actions.services import action_reassign
        from meetings.models import Role

        rows = [row for row in rows if row[1].startswith(register) and row[3]]
        changed = Action.objects.filter(board=board, status="open").first()
        posts = list(Role.objects.filter(body=board.body).order_by("pk")[:2])
        turns = iter(range(10**6))

        def change():
            owners = [posts[next(turns) % 2]]
            action_reassign(action=changed, owners=owners, by=staff, on=today)

    clients: dict = {}

    def client_for(user):
        if user not in clients:
            clients[user] = Client()
            if user is not None:
                clients[user].force_login(user)
        return clients[user]

    def fetch(url, user):
        client = client_for(user)
        with CaptureQueriesContext(connection) as queries:
            seconds, response = common.timed(lambda: client.get(url))
        assert response.status_code == 200, (url, response.status_code)
        return seconds, len(queries), len(response.content)

    samples = {name: ([], []) for name, *_ in rows}
    facts = {}
    for run in range(args.runs + 1):
        for name, url, user, anchor in rows:
            if name in SLOW and 0 < run < args.runs:
                continue  # seconds a request: measured once after its warm-up
            if change:
                change()
            if name == first_drawn:
                generation_bump()  # as after any change: no visitor's copy is kept
            seconds, queries, size_bytes = fetch(url, user)
            if change and anchor:
                change()
            anchor_seconds = fetch(anchor, staff)[0] if anchor else None
            if run == 0:
                continue  # warm-up
            samples[name][0].append(seconds)
            if anchor_seconds is not None:
                samples[name][1].append(anchor_seconds)
            facts[name] = (queries, size_bytes)

    print(
        f"\n== Pages at {size['actions']:,} actions, {size['boards']} boards; "
        f"median of {args.runs} interleaved runs"
        + ("; each request the first after a change of an action's owners" if change else "")
    )
    print(common.machine())
    print(f"{'page':34} {'ms':>8} {'anchor ms':>10} {'ratio':>6} {'queries':>8} {'KB':>7}")
    for name, *_ in rows:
        ours, anchors = samples[name]
        ms = common.median_ms(ours)
        queries, size_bytes = facts[name]
        if anchors:
            anchor_ms = common.median_ms(anchors)
            ratio = ms / anchor_ms
            print(
                f"{name:34} {ms:8.1f} {anchor_ms:10.1f} {ratio:5.2f}x {queries:8} "
                f"{size_bytes / 1024:7.0f}"
            )
        else:
            print(f"{name:34} {ms:8.1f} {'–':>10} {'':>6} {queries:8} {size_bytes / 1024:7.0f}")
    print("anchor: the admin changelist of the same actions with the same filter where it has one")
    print("(by person, by meeting: the board's changelist, the nearest filter the admin offers)")
    print("public pages: a visitor's kept copy; 'drawn': the first request after any change")


if __name__ == "__main__":
    main()
