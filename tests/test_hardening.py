"""Production hardening: deploy checks, headers, sign-in throttling, sessions, two-factor."""

import datetime
import os
import secrets
import subprocess
import sys

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from scrutiny.backends import DEMO_PASSWORD
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.engine_independent  # manage.py in a subprocess, on a database it never opens
def test_deploy_checks_pass_in_production_settings():
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
        },
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "scrutiny.example.org",
        "DATABASE_URL": "postgresql://scrutiny@db.example.org/scrutiny",
        "EMAIL_HOST": "smtp.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_security_headers_on_a_public_page(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("url_name", ["home", "actions:action-list", "admin:index"])
def test_staff_pages_are_never_cached(client, clerk, url_name):
    client.force_login(clerk)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def _sign_in(client, username, password, agent="Firefox", address="192.0.2.10"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        HTTP_USER_AGENT=agent,
        REMOTE_ADDR=address,
    )


def test_failed_sign_ins_lock_the_username_whatever_the_browser_and_address(clerk):
    """A new User-Agent per attempt gave 30 wrong passwords without a lockout (issue 10)."""
    for attempt in range(30):
        _sign_in(
            Client(),
            "clerk",
            "wrong password",
            agent=f"agent {attempt}",
            address=f"198.51.100.{attempt}",
        )
    locked = _sign_in(Client(), "clerk", PASSWORD, agent="Firefox", address="192.0.2.99")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()


def test_behind_a_proxy_the_address_recorded_is_the_clients(clerk, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    Client().post(
        reverse("login"),
        {"username": "clerk", "password": "wrong password"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.2",
    )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_demo_users_are_refused_when_debug_is_off(clerk, settings):
    """load_demo's users signed in with DEBUG off though the README says they are refused."""
    clerk.set_password(DEMO_PASSWORD)
    clerk.save()
    settings.DEBUG = False
    refused = _sign_in(Client(), "clerk", DEMO_PASSWORD)
    assert refused.status_code == 200
    assert "Please enter a correct username and password" in refused.content.decode()
    settings.DEBUG = True
    assert _sign_in(Client(), "clerk", DEMO_PASSWORD).status_code == 302


def test_wrong_password_says_so_and_keeps_the_username(clerk):
    response = _sign_in(Client(), "clerk", "wrong password")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Please enter a correct username and password" in content
    assert 'value="clerk"' in content


def test_signing_out_ends_the_session(client, clerk):
    assert _sign_in(client, "clerk", PASSWORD).status_code == 302
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("logout"))
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = stale.get(reverse("actions:action-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_changing_the_password_ends_other_sessions(clerk):
    laptop, phone = Client(), Client()
    assert _sign_in(laptop, "clerk", PASSWORD).status_code == 302
    assert _sign_in(phone, "clerk", PASSWORD, agent="Phone").status_code == 302
    new = "another long pass phrase 7"
    response = laptop.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert laptop.get(reverse("actions:action-list")).status_code == 200
    assert phone.get(reverse("actions:action-list")).status_code == 302


def test_a_weak_new_password_is_refused(client, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()


def _code(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _two_factor_sign_in(client, username, code="", url=None, next_url=""):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": PASSWORD, "otp_token": code, "next": next_url},
    )


def test_secretariat_pages_need_a_second_factor_when_required(client, clerk, settings):
    settings.ADMIN_REQUIRE_OTP = True
    client.force_login(clerk)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    # The secretariat's sign-in is the one sign-in page, which asks for the code.
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    device = TOTPDevice.objects.create(user=clerk, name="phone", confirmed=True)
    form = Client()
    wrong = _two_factor_sign_in(form, "clerk", "000000", next_url=reverse("admin:index"))
    assert wrong.status_code == 200
    assert "That code is wrong" in wrong.content.decode()
    # django-otp throttles after a failure; a minute later the right code is accepted.
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=60)
    with time_machine.travel(later, tick=False):
        right = _two_factor_sign_in(form, "clerk", _code(device), next_url=reverse("admin:index"))
        assert right.status_code == 302, right.context["form"].errors if right.context else ""
        assert form.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    "url_name", ["actions:action-list", "actions:action-export-csv", "admin:index", "home"]
)
def test_a_password_alone_opens_nothing_private_when_two_factor_is_required(
    clerk, settings, url_name
):
    """Signing in at /accounts/login/ without the code gave drafts and exports (issue 10)."""
    settings.ADMIN_REQUIRE_OTP = True
    TOTPDevice.objects.create(user=clerk, name="phone", confirmed=True)
    browser = Client()
    response = _two_factor_sign_in(browser, "clerk")
    assert response.status_code == 200
    assert "Enter the six-digit code" in response.content.decode()
    page = browser.get(reverse(url_name))
    if url_name == "home":
        assert "Sign out" not in page.content.decode()
    else:
        assert page.status_code == 302


def test_the_two_factor_form_succeeds_at_the_first_submit_and_never_echoes_the_password(
    clerk, settings
):
    settings.ADMIN_REQUIRE_OTP = True
    device = TOTPDevice.objects.create(user=clerk, name="phone", confirmed=True)
    browser = Client()
    page = browser.get(reverse("login")).content.decode()
    assert 'name="otp_token"' in page
    missing = _two_factor_sign_in(browser, "clerk").content.decode()
    assert PASSWORD not in missing
    fresh = Client()
    assert _two_factor_sign_in(fresh, "clerk", _code(device)).status_code == 302
    assert fresh.get(reverse("actions:action-list")).status_code == 200


def test_staff_without_an_authenticator_are_told_to_get_one(clerk, settings):
    settings.ADMIN_REQUIRE_OTP = True
    response = _two_factor_sign_in(Client(), "clerk")
    assert response.status_code == 200
    assert "has no authenticator app yet" in response.content.decode()


def test_force_leads_are_offered_two_factor_and_a_setting_requires_it(force_lead, settings):
    settings.ADMIN_REQUIRE_OTP = True
    # Not required and not set up: the password is enough for their own pages.
    browser = Client()
    assert _two_factor_sign_in(browser, "force_lead").status_code == 302
    assert browser.get(reverse("actions:action-mine")).status_code == 200
    # Required by the setting: nothing without the code.
    settings.FORCE_LEAD_REQUIRE_OTP = True
    assert browser.get(reverse("actions:action-mine")).status_code == 302
    from io import StringIO

    from django.core.management import call_command

    call_command("otp_enrol", "force_lead", stdout=StringIO())
    device = TOTPDevice.objects.get(user=force_lead)
    # Set up, it is always asked for, whatever the setting.
    settings.FORCE_LEAD_REQUIRE_OTP = False
    assert _two_factor_sign_in(Client(), "force_lead").status_code == 200
    settings.FORCE_LEAD_REQUIRE_OTP = True
    verified = Client()
    assert _two_factor_sign_in(verified, "force_lead", _code(device)).status_code == 302
    assert verified.get(reverse("actions:action-mine")).status_code == 200


def test_otp_enrol_prints_an_authenticator_link(clerk, force_lead):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("otp_enrol", "clerk", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    with pytest.raises(CommandError, match="already has a device"):
        call_command("otp_enrol", "clerk", stdout=StringIO())
    # Force leads are offered two-factor too.
    call_command("otp_enrol", "force_lead", stdout=out)
    assert TOTPDevice.objects.filter(user=force_lead, confirmed=True).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/meetings/99999999999999999999/",
        "/en/meetings/99999999999999999999999/",
        "/meetings/99999999999999999999/v1/minutes.pdf",
        "/actions/99999999999999999999/",
    ],
)
def test_an_id_beyond_any_records_is_not_found(client, clerk, url):
    assert client.get(url).status_code == 404
    client.force_login(clerk)
    assert client.get(url).status_code == 404
