import pytest
from django.db import connection

from scrutiny.groups import ADMINISTRATOR, APPROVER, CLERK, FORCE_LEAD, MEMBER, ensure_groups
from tests.factories import AppointmentFactory, PersonFactory, RoleFactory, UserFactory

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing strength is Django's concern, not these tests': keep fixtures quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fake_renderer(request, monkeypatch):
    """Tests that are not about documents get a PDF of the document's text in microseconds
    (tests/fake_pdf.py); those marked `real_pdf` (documents, canaries, the renderer) get
    WeasyPrint."""
    if request.node.get_closest_marker("real_pdf") is None:
        from scrutiny import pdf
        from tests.fake_pdf import fake_render

        monkeypatch.setattr(pdf, "render", fake_render)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run inside the request or command that enqueues them, so a test sees
    their outcome; a test of the queue itself sets the database backend and runs a worker."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached public pages are keyed on ids, which another test's rows may reuse."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _public_generation_at_once(monkeypatch):
    """A test runs inside a transaction that never commits: a write gives visitors' copies of
    public pages their new generation at once rather than at commit (scrutiny.public_cache),
    once for the writes between two reads of it, as a transaction's commit would (so a test
    counting an import's statements counts one bump, not one a row)."""
    from scrutiny import public_cache

    read = public_cache.generation
    unread = set()  # connections whose generation was bumped and not read since

    def generation(*, using="default"):
        unread.discard(using)
        return read(using=using)

    def after_commit(connection):
        if connection.alias not in unread:
            public_cache.generation_bump(using=connection.alias)
            unread.add(connection.alias)

    monkeypatch.setattr(public_cache, "generation", generation)
    monkeypatch.setattr(public_cache, "after_commit", after_commit)


@pytest.fixture(autouse=True)
def _default_language():
    """A request for a Welsh page leaves Welsh active on the test's thread (LocaleMiddleware
    does not undo it after the response): each test starts in the default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.hookimpl(trylast=True)  # after tests/browser/conftest.py has marked its tests
def pytest_collection_modifyitems(config, items):
    """A PostgreSQL-only test fails, never skips, when the database is not PostgreSQL.

    The longest tests start first (the slow ones, then the browser, then the real renders), and
    the many short ones fill in behind them, so that two workers finish together rather than
    one waiting idle while the other runs a long test that was collected last."""
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.django_db(transaction=True))

    def weight(item):
        for rank, marker in enumerate(("slow", "browser", "real_pdf")):
            if item.get_closest_marker(marker):
                return rank
        return 3

    items.sort(key=weight)  # stable: the same order on every worker


@pytest.fixture
def require_postgres(db):
    if connection.vendor != "postgresql":
        pytest.fail(
            "This test needs PostgreSQL: set DATABASE_URL=postgresql://... "
            "(or deselect it with -m 'not postgres')."
        )


def _member_of(group_name, username, *, staff):
    groups = ensure_groups()
    user = UserFactory(username=username, is_staff=staff)
    user.groups.add(groups[group_name])
    return user


@pytest.fixture
def clerk(db):
    return _member_of(CLERK, "clerk", staff=True)


@pytest.fixture
def approver(db):
    return _member_of(APPROVER, "approver", staff=True)


@pytest.fixture
def member(db):
    return _member_of(MEMBER, "member", staff=False)


@pytest.fixture
def administrator(db):
    return _member_of(ADMINISTRATOR, "administrator", staff=True)


def _force_lead(username, abbrev):
    user = _member_of(FORCE_LEAD, username, staff=False)
    person = PersonFactory(user=user, email=user.email)
    role = RoleFactory(body=person.body, abbrev=abbrev)
    AppointmentFactory(person=person, role=role)
    return user


@pytest.fixture
def force_lead(db):
    return _force_lead("force_lead", "HoSPC")


@pytest.fixture
def other_force_lead(db):
    return _force_lead("other_force_lead", "ACC")


@pytest.fixture
def public(client):
    """An anonymous member of the public."""
    return client
