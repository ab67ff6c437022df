"""Scale: generated data, imports that leave rendering to the task queue, and two instances of
the application serving the same users from one database."""

import datetime
import getpass
import html
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from actions.models import Action, ActionOwner, ActionStatus, ActionUpdate
from actions.services import action_create
from meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    Publication,
    PublishedText,
    Question,
)
from scrutiny.public_cache import after_commit as _REAL_AFTER_COMMIT
from tests.conftest import PASSWORD
from tests.factories import BoardFactory, RoleFactory

pytestmark = pytest.mark.django_db


def _fingerprint() -> list[tuple]:
    return list(
        Action.objects.order_by("board__slug", "number").values_list(
            "board__slug", "number", "text", "status", "due_on", "raised_at_meeting__held_on"
        )
    )


def _generate(**options) -> list[tuple]:
    with transaction.atomic():
        call_command("generate_data", stdout=StringIO(), **options)
        found = _fingerprint()
        transaction.set_rollback(True)
    return found


def _generate_one_board() -> None:
    call_command(
        "generate_data",
        boards=1,
        years=1,
        seed=1,
        end=datetime.date(2025, 6, 30),
        stdout=StringIO(),
    )


def test_generated_data_is_reproducible_from_its_seed():
    options = {"boards": 2, "years": 1, "end": datetime.date(2025, 6, 30)}
    first = _generate(seed=5, **options)
    assert first == _generate(seed=5, **options)
    assert first != _generate(seed=6, **options)


def test_generated_data_has_the_seeds_shapes_and_its_history():
    _generate_one_board()
    meetings = list(Meeting.objects.all())
    assert len(meetings) == 12
    for meeting in meetings:
        assert 15 <= meeting.items.count() <= 25
        assert 8 <= Action.objects.filter(raised_at_meeting=meeting).count() <= 12
    assert AgendaItem.objects.filter(exempt=True).exists()
    assert Attendance.objects.exists()
    first_meeting = min(meetings, key=lambda m: m.held_on)
    first = Action.objects.filter(raised_at_meeting=first_meeting).order_by("number").first()
    assert 3 <= first.updates.count() <= 6
    assert first.owners.count() == 2
    # Everything written is in the audit trail, as if typed in (through the services, issue 9):
    # created once each; an action's status moved on by its progress, a meeting published.
    for model in (Action, ActionOwner, ActionUpdate, AgendaItem, Attendance, Meeting):
        assert model.history.filter(history_type="+").count() == model.objects.count()
    moved = Action.objects.exclude(status=ActionStatus.OPEN)
    assert moved.exists()
    for action in moved:
        assert action.history.filter(history_type="~").first().status == action.status
    published = Meeting.objects.filter(status=Meeting.Status.PUBLISHED)
    assert published.count() == Meeting.history.filter(history_type="~", status="published").count()
    assert not Meeting.objects.filter(changed_since_approval_by__isnull=False).exists()
    # Meetings older than a month are published with what the public may see.
    published = Publication.objects.select_related("meeting")
    assert published.count() == Meeting.objects.filter(status=Meeting.Status.PUBLISHED).count()
    exempt = AgendaItem.objects.filter(exempt=True).first()
    publication = Publication.objects.filter(meeting=exempt.meeting).first()
    if publication is not None and exempt.minutes:
        assert exempt.minutes.split("\n\n")[0] not in publication.minutes_html


def test_generated_data_refuses_a_database_that_already_has_it():
    options = {"boards": 1, "years": 1, "seed": 1, "stdout": StringIO()}
    call_command("generate_data", **options)
    with pytest.raises(Exception, match="already holds generated data"):
        call_command("generate_data", **options)


FIXTURES = Path(settings.BASE_DIR) / "fixtures"
GWENT = [FIXTURES / "gwent-spb-2018-11-30.json", FIXTURES / "gwent-spb-2019-11-26.json"]


def _run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("by", ["clerk", None])
def test_a_published_import_goes_public_once_the_worker_has_built_it(client, clerk, settings, by):
    """The import writes the record and queues its publication (issue 14: building the public
    snapshot was half of each meeting's import time); the worker builds it, and only then does
    the public see the meeting, with the import's operator in the audit trail."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    out = StringIO()
    call_command("import_meeting", str(GWENT[1]), *(["--by", by] if by else []), stdout=out)
    meeting = Meeting.objects.get(board__action_prefix="SPB", held_on=datetime.date(2019, 11, 26))
    assert "queued for publication" in out.getvalue()
    assert meeting.status == Meeting.Status.APPROVED
    assert not meeting.publications.exists()
    assert client.get(meeting.get_absolute_url()).status_code == 404
    board_page = client.get(reverse("minutes:board-detail", args=[meeting.board.slug]))
    assert "26 November 2019" not in board_page.content.decode()
    client.force_login(clerk)
    admin_page = client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    assert "Publishing…" in admin_page.content.decode()
    client.logout()

    _run_worker()

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    assert meeting.publishing == ""
    publication = meeting.publications.get()
    assert publication.published_by == (clerk if by else None)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Crime Prevention Response Report" in page
    kinds = sorted(publication.documents.values_list("kind", flat=True))
    assert kinds == ["minutes", "questions"]
    minutes = publication.documents.get(kind="minutes")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=bytes(minutes.pdf), capture_output=True, check=True
    ).stdout.decode()
    assert "Crime Prevention Response Report" in " ".join(text.split())
    # The audit trail: the meeting became published by the import's operator.
    published = meeting.history.filter(status=Meeting.Status.PUBLISHED).get()
    if by:
        assert published.history_user == clerk
    else:
        assert published.history_user is None
        assert published.history_change_reason == f"command run by {getpass.getuser()}"


@pytest.mark.django_db(transaction=True)
def test_an_imported_meeting_edited_before_the_worker_runs_is_not_published(settings, clerk):
    """What the worker publishes is what was imported: an edit in between (which turns the
    minutes back into a draft) stops it, and the clerk is told why."""
    from meetings.services import meeting_update

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("import_meeting", str(GWENT[1]), stdout=StringIO())
    meeting = Meeting.objects.get(board__action_prefix="SPB", held_on=datetime.date(2019, 11, 26))
    meeting.venue = "Another venue"
    meeting_update(meeting=meeting, by=clerk)

    _run_worker()

    meeting.refresh_from_db()
    assert not meeting.publications.exists()
    assert meeting.status == Meeting.Status.DRAFT
    assert meeting.publishing == "failed"
    assert "changed" in meeting.publishing_error


def _publications() -> list[tuple]:
    """What each publication shows (the actions' ids aside: the undone import used others)."""
    return [
        (held_on, version, html, title, [{**row, "id": None} for row in actions])
        for held_on, version, html, title, actions in Publication.objects.order_by(
            "held_on"
        ).values_list("held_on", "version", "minutes_html", "title", "actions")
    ]


@pytest.mark.django_db(transaction=True)
def test_the_worker_publishes_a_batch_as_the_import_did_at_once(settings):
    """Built after the whole batch is written, each meeting's publication says what it said
    when it was built during its own import."""

    with transaction.atomic():  # the tasks run inside the import; undone afterwards
        call_command("import_meeting", *map(str, GWENT), stdout=StringIO())
        at_once = _publications()
        texts = sorted(PublishedText.objects.values_list("kind", "number", "text"))
        transaction.set_rollback(True)
    assert len(at_once) == 2
    assert not Meeting.objects.exists()

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("import_meeting", *map(str, GWENT), stdout=StringIO())
    assert not Publication.objects.exists()
    _run_worker()

    assert _publications() == at_once
    assert sorted(PublishedText.objects.values_list("kind", "number", "text")) == texts


# Two instances against one database ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(database_url: str, *, secret_key: str, static_root: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static_root),
        "EMAIL_HOST": "127.0.0.1",  # required without DEBUG; nothing is sent here
    }
    for name in ("SECURE_SSL_REDIRECT", "ADMIN_REQUIRE_OTP", "PROXY_COUNT"):
        env.pop(name, None)  # the production defaults
    return env


class Instance:
    """A gunicorn of the application with the production settings, on its own port: DEBUG off,
    its own SECRET_KEY and ALLOWED_HOSTS, static files collected beforehand and served by
    WhiteNoise, HTTPS required (the test speaks as the TLS proxy does), two-factor sign-in for
    staff (docs/deployment.md, "Running it")."""

    def __init__(self, database_url: str, *, secret_key: str, static_root: Path):
        self.port = _free_port()
        env = production_env(database_url, secret_key=secret_key, static_root=static_root)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "scrutiny.wsgi:application",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(self.process.stderr.read().decode()) from None
                time.sleep(0.1)  # waiting for a process to listen, not for the clock

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _answer(request):
    """The instance's own answer, redirects and errors included."""
    try:
        return urllib.request.build_opener(_NoRedirect).open(request, timeout=60)
    except urllib.error.HTTPError as error:
        return error


class Browser:
    """A browser's cookie jar, enough for a session and its CSRF token."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, instance: Instance, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{instance.port}{path}", data=body)
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        # As the TLS proxy in front of the instances passes requests on (docs/deployment.md).
        request.add_header("X-Forwarded-Proto", "https")
        request.add_header("Referer", f"https://127.0.0.1:{instance.port}{path}")
        response = _answer(request)
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.read().decode()

    def request_plain(self, instance: Instance, path: str):
        """A request straight to the instance, not through the TLS proxy."""
        response = _answer(urllib.request.Request(f"http://127.0.0.1:{instance.port}{path}"))
        return response.status, response.read().decode()

    @staticmethod
    def token(page: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _test_database_url() -> str:
    """The address of the test database, for a process of its own (PostgreSQL)."""
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return url


@pytest.fixture
def two_instances(require_postgres, tmp_path):
    url = _test_database_url()
    options = {"secret_key": secrets.token_urlsafe(50), "static_root": tmp_path / "static"}
    # As docs/deployment.md says: collect the static files before starting a new version.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=settings.BASE_DIR,
        env=production_env(url, **options),
        check=True,
    )
    first = Instance(url, **options)
    try:
        second = Instance(url, **options)
    except Exception:
        first.stop()
        raise
    yield first, second
    first.stop()
    second.stop()


@pytest.mark.postgres
@pytest.mark.slow
def test_two_instances_share_sign_in_and_refuse_a_stale_save_across_them(
    clerk, two_instances, settings
):
    first, second = two_instances
    # The instances check passwords with the project's hashers, not the tests' quick one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    clerk.set_password(PASSWORD)
    clerk.save()
    role = RoleFactory(abbrev="HoSPC")
    board = BoardFactory(body=role.body, action_prefix="SPB")
    action = action_create(
        board=board, text="Review mental health demand", owners=[role], raised_at=None, by=None
    )

    # Staff sign in with a code from their authenticator (production): a code is good once,
    # so the second browser gives the next one, which the device's tolerance accepts.
    device = TOTPDevice.objects.create(user=clerk, name="phone", confirmed=True)
    codes = [
        f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"
        for drift in (device.drift, device.drift + 1)
    ]

    # Two browsers of the same clerk: each signs in on the first instance.
    one, two = Browser(), Browser()
    for browser, code in zip((one, two), codes, strict=True):
        status, page = browser.request(first, "/accounts/login/")
        assert status == 200
        status, _page = browser.request(
            first,
            "/accounts/login/",
            {
                "username": "clerk",
                "password": PASSWORD,
                "otp_token": code,
                "csrfmiddlewaretoken": browser.token(page),
            },
        )
        assert status == 302

    # Each instance serves the collected static files itself (WhiteNoise), hashed names.
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
    assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet)
    assert one.request(second, stylesheet)[0] == 200
    # Without the proxy's word that the request came over HTTPS, it is sent there.
    assert Browser().request_plain(second, "/")[0] == 301

    # Both open the action on the second instance: the session made on the first is known.
    path = f"/actions/{action.pk}/"
    status, page_one = one.request(second, path)
    assert status == 200
    assert "Review mental health demand" in html.unescape(page_one)
    status, page_two = two.request(first, path)
    assert status == 200
    version = re.search(r'name="version" value="(\d+)"', page_one).group(1)

    # One saves through the second instance ...
    status, _page = one.request(
        second,
        f"/actions/{action.pk}/updates/new/",
        {
            "text": "Saved on the second instance.",
            "status": "",
            "version": version,
            "csrfmiddlewaretoken": one.token(page_one),
        },
    )
    assert status == 302
    # ... and the other, who opened the same version, is refused on the first, keeping the text.
    status, refused = two.request(
        first,
        f"/actions/{action.pk}/updates/new/",
        {
            "text": "Typed on the first instance.",
            "status": "",
            "version": version,
            "csrfmiddlewaretoken": two.token(page_two),
        },
    )
    assert status == 400
    refused = html.unescape(refused)
    assert "was changed by someone else after you opened it" in refused
    assert "Typed on the first instance." in refused
    assert list(action.updates.values_list("text", flat=True)) == ["Saved on the second instance."]
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


# Public pages cached on their live publication ---------------------------------------------


@pytest.fixture
def published_meeting(approver):
    source = Path(settings.BASE_DIR) / "fixtures" / "gwent-spb-2019-11-26.json"
    call_command("import_meeting", str(source), stdout=StringIO())
    return Meeting.objects.get(board__action_prefix="SPB", held_on=datetime.date(2019, 11, 26))


def test_a_visitor_is_served_the_cached_page_until_the_publication_changes(
    client, approver, published_meeting, django_assert_max_num_queries
):
    from django.core.cache import cache

    from minutes.services import meeting_withdraw

    cache.clear()
    url = published_meeting.get_absolute_url()
    first = client.get(url)
    assert "Crime Prevention Response Report" in first.content.decode()
    # The record's generation, read before the middleware stack (scrutiny.public_cache).
    with django_assert_max_num_queries(1):
        again = client.get(url)
    assert again.content == first.content

    meeting_withdraw(meeting=published_meeting, by=approver, reason="Wrong attendance")
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_pdf_arriving_from_the_queue_shows_on_the_cached_page(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    source = Path(settings.BASE_DIR) / "fixtures" / "gwent-spb-2019-11-26.json"
    call_command("import_meeting", str(source), stdout=StringIO())
    meeting = Meeting.objects.get(board__action_prefix="SPB", held_on=datetime.date(2019, 11, 26))
    url = meeting.get_absolute_url()
    assert "(PDF," not in client.get(url).content.decode()

    call_command("db_worker", "--batch", stdout=StringIO(), stderr=StringIO())

    page = client.get(url).content.decode()
    for document in meeting.publications.get().documents.all():
        assert document.get_absolute_url() in page


def test_generated_publications_can_be_searched_as_published(client):
    """Each generated publication stores its passages as publication does: the items as
    printed (an exempt one by its reason) and the actions, so search works on generated data."""
    _generate_one_board()
    exempt = AgendaItem.objects.filter(exempt=True, meeting__status="published").first()
    texts = PublishedText.objects.filter(publication__meeting=exempt.meeting)
    assert texts.get(kind="item", number=exempt.number).text == exempt.exempt_reason
    assert texts.filter(kind="action").exists()
    page = client.get(reverse("minutes:search"), {"q": "progressing"}).content.decode()
    assert re.search(r"[1-9][0-9]* results", page)
    assert "<mark>progressing</mark>" in page


def test_generated_publications_are_what_publication_stores_without_documents():
    """generate_data publishes through meetings_publish_generated, which takes the snapshot
    meeting_publish takes (issue 9: one rule): the page's HTML as the public page prints it, the
    questions searchable; only the PDFs are not rendered."""
    from minutes.documents import minutes_fragment
    from minutes.services import PublicationError, meetings_publish_generated

    _generate_one_board()
    # Every page, rendered while the next board was written (by a forked copy where the
    # process may fork), is the page the public would be shown.
    publications = Publication.objects.select_related("meeting")
    assert publications.count() > 6
    for publication in publications:
        assert publication.minutes_html == minutes_fragment(publication.meeting, public=True)
    question = Question.objects.filter(item__meeting__status="published", item__exempt=False)
    meeting = question.first().item.meeting
    publication = meeting.publications.get()
    assert publication.title == meeting.held_on.strftime("%-d %B %Y")
    assert not publication.documents.exists()
    texts = publication.texts.filter(kind="question")
    assert set(texts.values_list("text", flat=True)) == {
        q.question for q in question.filter(item__meeting=meeting)
    }
    # A published meeting is refused, and nothing is written.
    before = Publication.objects.count()
    with pytest.raises(PublicationError):
        meetings_publish_generated(
            meetings=[meeting], by=None, published_at=lambda m: publication.published_at
        )
    assert Publication.objects.count() == before


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_instances_keep_a_visitors_page_and_drop_it_on_a_withdrawal_made_elsewhere(
    two_instances, published_meeting, approver, monkeypatch
):
    """Each instance keeps its own copy (the default cache is per process); the withdrawal,
    committed by a third process, is a new generation both read at once."""
    from minutes.services import meeting_withdraw
    from scrutiny import public_cache

    first, second = two_instances
    visitor = Browser()
    url = published_meeting.get_absolute_url()
    board = reverse("minutes:board-detail", args=[published_meeting.board.slug])
    for instance in (first, second, first, second):
        status, page = visitor.request(instance, url)
        assert status == 200
        assert "Crime Prevention Response Report" in page
        assert url in visitor.request(instance, board)[1]
    assert visitor.cookies == {}  # a visitor: no session, nothing set

    # As a request does it: the writes in one transaction, the new generation at its commit.
    monkeypatch.setattr(public_cache, "after_commit", _REAL_AFTER_COMMIT)
    with transaction.atomic():
        meeting_withdraw(meeting=published_meeting, by=approver, reason="Wrong attendance")
    for instance in (first, second):
        assert visitor.request(instance, url)[0] == 404
        assert url not in visitor.request(instance, board)[1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_generate_data_run_as_a_command_stores_each_board_as_it_would_alone(require_postgres):
    """As a command (one process, no thread: each board's publications are stored by a forked
    copy while the next board is written), generate_data stores what publication stores: each
    page, its actions and its passages as the snapshot of the meeting taken here."""
    from minutes.services import publication_snapshot

    url = _test_database_url()
    args = ["--boards", "2", "--years", "2", "--seed", "3", "--end", "2025-06-30"]
    run = subprocess.run(
        [sys.executable, "manage.py", "generate_data", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "board 2/2" in run.stdout
    publications = Publication.objects.select_related("meeting__board__body").order_by("pk")
    assert publications.count() == Meeting.objects.filter(status="published").count() > 30
    boards = [p.meeting.board.slug for p in publications]
    assert boards == sorted(boards)  # one board after the other
    for publication in publications:
        alone = publication_snapshot(publication.meeting)
        assert publication.minutes_html == alone.html
        assert publication.actions == alone.actions
        stored = publication.texts.order_by("pk").values_list("kind", "number", "title", "text")
        assert list(stored) == [(t.kind, t.number, t.title, t.text) for t in alone.texts]
