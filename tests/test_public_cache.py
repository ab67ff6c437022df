"""What the early answer of public pages (scrutiny.public_cache) never keeps or serves: a page
that used a CSP nonce, set a cookie, failed, or that its view did not offer; a request with a
session, a message waiting, an htmx swap or no language prefix."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.csp import LazyNonce

from scrutiny import public_cache

pytestmark = pytest.mark.django_db


def _page(*, nonce=False, cookie=False, status=200, offered=True):
    def view(request):
        request._csp_nonce = LazyNonce()
        body = f"<p>drawn {view.calls}</p>"
        if nonce:
            body += f'<script nonce="{request._csp_nonce}"></script>'
        view.calls += 1
        response = HttpResponse(body, status=status, headers={"Content-Language": "en"})
        if cookie:
            response.set_cookie("chosen", "yes")
        if offered:
            public_cache.keep(response)
        return response

    view.calls = 0
    return view


def _twice(view, **request):
    middleware = public_cache.PublicPageCacheMiddleware(view)
    factory = RequestFactory()
    first = middleware(factory.get("/en/boards/spb/", **request))
    second = middleware(factory.get("/en/boards/spb/", **request))
    return first, second


def test_an_offered_page_is_drawn_once_then_answered_from_the_cache():
    view = _page()
    first, second = _twice(view)
    assert view.calls == 1
    assert second.content == first.content
    assert sorted(second.headers.items()) == sorted(first.headers.items())


@pytest.mark.parametrize(
    "page",
    [
        {"nonce": True},  # its CSP header names a nonce no other request may reuse
        {"cookie": True},
        {"status": 404},
        {"offered": False},  # e.g. drawn for a signed-in user
    ],
    ids=["nonce", "cookie", "status", "not offered"],
)
def test_a_page_that_is_personal_or_failed_is_drawn_every_time(page):
    view = _page(**page)
    first, second = _twice(view)
    assert view.calls == 2
    assert first.content != second.content


@pytest.mark.parametrize(
    "request_",
    [
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_COOKIE": "messages=abc"},
        {"HTTP_HX_REQUEST": "true"},
    ],
    ids=["session", "message waiting", "htmx"],
)
def test_a_request_that_may_be_personal_is_never_answered_early(request_):
    view = _page()
    _twice(view, **request_)
    assert view.calls == 2


def test_an_address_without_a_language_prefix_is_never_answered_early():
    view = _page()
    middleware = public_cache.PublicPageCacheMiddleware(view)
    for _ in range(2):
        middleware(RequestFactory().get("/actions/"))
    assert view.calls == 2


def test_a_database_emptied_of_its_generation_makes_one_and_keeps_pages_again():
    """As after `flush` (which a transactional test runs): the row is made again on first read."""
    from scrutiny.models import PublicGeneration

    PublicGeneration.objects.all().delete()
    view = _page()
    _twice(view)
    assert view.calls == 1
    assert PublicGeneration.objects.count() == 1
