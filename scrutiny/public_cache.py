"""Visitors' copies of public pages, answered before the middleware stack.

A public page a visitor sees (no session, no message waiting) changes only when the record it
shows changes. Every write to a table that public pages read (the apps say which: `watch`) gives
the record a new *generation* once its transaction commits: a random token in one database row
(`PublicGeneration`), whichever instance or worker made the write. A visitor's copy of a page
is kept in Django's cache under a key made of that generation, the address (its language
prefix included), the scheme and host, the day (pages list the meetings to come) and the
release of the code; so a publication, a withdrawal or any other change is a new key on every
instance at once, and the old copy is never served again. The cache saves work only: a shared
cache (`CACHES`) shares the copies between instances, a per-process one keeps them per process,
and neither can serve a page the database no longer allows.

`PublicPageCacheMiddleware` sits at the top of the stack (after the security middleware and
WhiteNoise): a GET of a language-prefixed address without a session or messages cookie is
answered from the cache, with the headers the page was first sent with, after one read of the
generation and one of the cache; sessions, CSRF, authentication and the view are not touched.
A page is kept only when its view says it may be (`keep`): drawn for a visitor, status 200, no
cookie set and no CSP nonce used (the header kept is then the one it was drawn with).
"""

import functools
import hashlib
import re
import secrets

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import IntegrityError, connections, transaction
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.utils import timezone, translation

TABLE = "scrutiny_publicgeneration"
PAGE_SECONDS = 600

_watched: set[str] = set()
# A write, or a write whose rows a second one reads (`WITH new AS (INSERT INTO … RETURNING *) …`,
# as scrutiny.audit inserts rows and their history): the table it writes first.
_WRITE = re.compile(
    r'\s*(?:WITH\s+\w+\s+AS\s+\(\s*)?(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?',
    re.IGNORECASE,
)


def watch(*models) -> None:
    """Writes to these models' tables change what visitors see: each gives a new generation."""
    _watched.update(model._meta.db_table for model in models)


def watched_tables() -> frozenset[str]:
    return frozenset(_watched)


def generation(*, using: str = "default") -> str:
    """The record's current generation.

    Outside a transaction, on a connection already open, it is read straight from the
    driver's connection: a Django cursor would first check the connection with a query of its
    own (CONN_HEALTH_CHECKS), doubling what the kept page costs. A connection that fails
    here is read again through Django, which checks it and connects anew."""
    connection = connections[using]
    sql = f"SELECT token FROM {TABLE} WHERE id = 1"
    if connection.connection is not None and not connection.in_atomic_block:
        try:
            cursor = connection.connection.cursor()
            try:
                cursor.execute(sql)
                row = cursor.fetchone()
            finally:
                cursor.close()
            if row:
                return row[0]
        except Exception:  # a connection that broke while idle; Django's check handles it
            pass
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return row[0] if row else (_insert_generation(using=using) or generation(using=using))


def _insert_generation(*, using: str) -> str | None:
    """The row is made by a migration; a database emptied since (`flush`) gets it again. None
    when another connection made it first."""
    token = secrets.token_hex(16)
    try:
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE} (id, token) VALUES (1, %s)", [token])
    except IntegrityError:
        return None
    return token


def generation_bump(*, using: str = "default") -> None:
    """A new generation: every visitor's copy kept so far is no longer served."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET token = %s WHERE id = 1", [secrets.token_hex(16)])
        replaced = cursor.rowcount
    if not replaced and _insert_generation(using=using) is None:
        generation_bump(using=using)  # made meanwhile by someone else: replace theirs


def after_commit(connection) -> None:
    """Bump once the write is visible to everyone: at commit (once a transaction), or now when
    the write was committed by itself. Bumping earlier would let a request that reads the new
    generation draw the page from the data before the commit and keep it under that key."""
    if not connection.in_atomic_block:
        generation_bump(using=connection.alias)
        return
    bump = connection.__dict__.setdefault(
        "_public_generation_bump", functools.partial(generation_bump, using=connection.alias)
    )
    if not any(entry[1] is bump for entry in connection.run_on_commit):
        connection.on_commit(bump)


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and (found := _WRITE.match(sql)) and found.group(1) in _watched:
        after_commit(context["connection"])
    return result


def install(connection, **kwargs) -> None:
    """Every write through Django's connections (ORM, bulk operations, raw SQL) is seen."""
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


connection_created.connect(install, dispatch_uid="scrutiny.public_cache.install")


@functools.cache
def release() -> str:
    """The code that draws the pages: a new release never serves an old release's copies."""
    digest = hashlib.sha256()
    base = settings.BASE_DIR
    folders = ("templates", "locale", "meetings", "actions", "minutes", "scrutiny")
    for folder in folders:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".mo") and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def _key(request, token: str) -> str | None:
    try:
        host = request.get_host()
    except Exception:  # a disallowed host: the normal path answers it
        return None
    parts = (release(), token, timezone.localdate().isoformat(), request.scheme, host)
    parts += (request.get_full_path(),)
    return "public-page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _language(request) -> str | None:
    return translation.get_language_from_path(request.path_info)


def visitor_request(request) -> bool:
    """A GET that no session, message or htmx swap makes personal, of a public page's address."""
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and "HTTP_HX_REQUEST" not in request.META
        and _language(request) is not None
    )


def _lookup(request):
    key = _key(request, generation())
    return key, (cache.get(key) if key is not None else None)


def cached_content(request) -> bytes | None:
    """The page's kept copy, for a visitor the middleware could not answer (one whose browser
    carries a session, e.g. for a chosen language); the middleware adds the headers as usual."""
    if request.method != "GET" or _language(request) is None:
        return None
    _key, kept = _lookup(request)
    return kept[2] if kept is not None else None


def keep(response) -> None:
    """The view's word that this response is a visitor's copy that may be kept."""
    response.visitor_copy = True


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not visitor_request(request):
            return self.get_response(request)
        key, kept = _lookup(request)
        if kept is not None:
            status, headers, content = kept
            response = HttpResponse(content, status=status)
            for name in list(response.headers):
                del response.headers[name]
            for name, value in headers:
                response.headers[name] = value
            return response
        response = self.get_response(request)
        if key is not None and self._may_keep(request, response):
            headers = [(k, v) for k, v in response.items() if k.lower() != "date"]
            cache.set(key, (response.status_code, headers, response.content), PAGE_SECONDS)
        return response

    @staticmethod
    def _may_keep(request, response) -> bool:
        return (
            getattr(response, "visitor_copy", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            # A nonce is new on every request: a page that used one is never replayed.
            and not getattr(request, "_csp_nonce", None)
            and response.get("Content-Language") == _language(request)
        )
