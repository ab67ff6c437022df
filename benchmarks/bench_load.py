"""A bounded load run against gunicorn with the production settings, beside a static file.

Run: .venv/bin/python benchmarks/bench_load.py                 (cheap: SQLite, 3 s a target)
     .venv/bin/python benchmarks/bench_load.py --boards 100 --years 10 --seconds 10 \\
         --database postgresql://postgres@127.0.0.1:55432/big   (120,000 actions)

gunicorn (2 sync workers, DEBUG off, WhiteNoise) serves 127.0.0.1 only. For each target in turn,
CONNECTIONS threads request it back to back for SECONDS; the figures are requests a second,
p50/p95/p99 latency and errors, and the ratio of requests a second to the static file's. The
client runs on the same machine, so it takes CPU from the server: compare the ratios.
"""

import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

PASSWORD = "bench-password-not-secret"


class Session:
    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}

    def open(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        try:
            response = urllib.request.build_opener(NoRedirect).open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return response.status, response.read()

    def sign_in(self, username: str) -> None:
        _status, page = self.open("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _page = self.open(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        if status != 302:
            raise SystemExit(f"could not sign in as {username} (status {status})")


def hammer(session: Session, path: str, seconds: float, connections: int) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        mine, bad = [], 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                status, _body = session.open(path)
            except OSError:
                status = 0
            mine.append(time.perf_counter() - started)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - began
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "rps": len(latencies) / took,
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
        "n": len(latencies),
        "errors": errors[0],
    }


WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %f %f %f %f %d\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def hammer_wrk(session: Session, path: str, seconds: float, connections: int) -> dict:
    """The same measurement by wrk (C, one thread, event-driven: a far cheaper client than
    Python threads, so the server rather than the client is what is measured)."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    # wrk's own timeout is 2 s: a slower answer would be counted as an error. 30 s, as above.
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(seconds, 1):.0f}s", "--timeout", "30s"]
    command += ["-s", script.name]
    if session.cookies:
        cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
        command += ["-H", f"Cookie: {cookie}"]
    run = subprocess.run(
        [*command, session.base + path], capture_output=True, text=True, check=True
    )
    os.unlink(script.name)
    line = next(line for line in run.stdout.splitlines() if line.startswith("WRK "))
    n, took, p50, p95, p99, errors = line.split()[1:]
    return {
        "rps": int(n) / float(took),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "n": int(n),
        "errors": int(errors),
    }


def workers_memory(master: int) -> list[tuple[int, int]]:
    """Each gunicorn worker's resident memory now and at its peak, in MiB (Linux /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue  # a process that ended meanwhile
        if fields.get("PPid", "").strip() == str(master) and "VmRSS" in fields:
            found.append(
                (int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024)
            )
    return sorted(found)


def main() -> None:
    parser = common.parser(__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 3)))
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--client",
        choices=["threads", "wrk"],
        default=os.environ.get("BENCH_LOAD_CLIENT", "threads"),
        help="threads: Python threads in this process; wrk: Debian's wrk (apt-get install wrk)",
    )
    args = parser.parse_args()
    database = common.setup(args.database)
    size = common.ensure_data(boards=args.boards, years=args.years, seed=1)
    common.collect_static()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.utils import timezone

    from meetings.models import Appointment, Board, Meeting
    from scrutiny.groups import CLERK, FORCE_LEAD, ensure_groups

    groups = ensure_groups()
    users = get_user_model().objects
    clerk = users.filter(username="bench-clerk").first()
    if clerk is None:
        clerk = users.create_user("bench-clerk", password=PASSWORD, is_staff=True)
        clerk.groups.add(groups[CLERK])
    board = Board.objects.filter(slug__startswith="gen-").order_by("pk").first()
    holder = (
        Appointment.objects.current(timezone.localdate())
        .filter(role__body=board.body, role__abbrev="HoSPC")
        .select_related("person")
        .first()
        .person
    )
    if holder.user_id is None:
        lead = users.create_user(f"bench-lead-{holder.pk}", password=PASSWORD)
        lead.groups.add(groups[FORCE_LEAD])
        holder.user = lead
        holder.save(update_fields=["user"])
    lead_name = holder.user.username
    meeting = (
        Meeting.objects.filter(board=board, status=Meeting.Status.PUBLISHED)
        .order_by("-held_on")
        .first()
    )
    static = staticfiles_storage.url("vendor/bootstrap/bootstrap.min.css")

    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    number = port.getsockname()[1]
    port.close()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DEBUG": "false",
        "STATIC_ROOT": str(settings.STATIC_ROOT),
        "LOG_LEVEL": "ERROR",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{number}",
         "--workers", str(args.workers), "--log-level", "warning", "scrutiny.wsgi:application"],
        cwd=common.BASE_DIR,
        env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", number), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        base = f"http://127.0.0.1:{number}"
        public, staff, lead = Session(base), Session(base), Session(base)
        staff.sign_in("bench-clerk")
        lead.sign_in(lead_name)
        targets = [
            ("static file (WhiteNoise)", public, static),
            ("public meeting page", public, f"/en/meetings/{meeting.pk}/"),
            ("public board actions log", public, f"/en/boards/{board.slug}/actions/"),
            ("public board page", public, f"/en/boards/{board.slug}/"),
            ("public body home page", public, f"/en/{board.body.slug}/"),
            ("register /actions/", staff, "/actions/"),
            ("force lead /actions/mine/", lead, "/actions/mine/"),
        ]
        results = {}
        for name, session, path in targets:
            status, _body = session.open(path)
            if status != 200:
                raise SystemExit(f"{name}: {path} answered {status}")
            measure = hammer_wrk if args.client == "wrk" else hammer
            results[name] = measure(session, path, args.seconds, args.connections)
        memory = workers_memory(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\n== Load at {size['actions']:,} actions: gunicorn {args.workers} workers, "
        f"{args.connections} connections, {args.seconds:.0f} s a target, client: {args.client}"
    )
    print(common.machine())
    anchor = results["static file (WhiteNoise)"]["rps"]
    print(f"{'target':28} {'req/s':>8} {'ratio':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>7}")
    for name, r in results.items():
        print(
            f"{name:28} {r['rps']:8.1f} {r['rps'] / anchor:5.2f}x {r['p50']:6.0f}ms "
            f"{r['p95']:6.0f}ms {r['p99']:6.0f}ms {r['errors']:4}/{r['n']}"
        )
    served = sum(r["n"] for r in results.values())
    print(
        f"gunicorn workers after {served:,} requests: "
        + ", ".join(f"{now} MiB resident (peak {peak} MiB)" for now, peak in memory)
    )


if __name__ == "__main__":
    main()
