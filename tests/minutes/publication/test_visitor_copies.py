"""A visitor's kept copy of the meeting page follows the publication at once: a correction
shows the corrected text, a withdrawal takes the page down, in English and in Welsh."""

import pytest

from minutes.services import meeting_approve, meeting_publish, meeting_withdraw
from tests.minutes.publication.helpers import CORRECTED, ORIGINAL, correct

pytestmark = pytest.mark.django_db


def test_a_correction_and_a_withdrawal_reach_visitors_of_a_kept_page_at_once(
    client, published, approver
):
    url = published.get_absolute_url()
    welsh = url.replace("/en/", "/cy/", 1)
    for address in (url, welsh):
        assert ORIGINAL in client.get(address).content.decode()
        assert ORIGINAL in client.get(address).content.decode()  # the kept copy

    correct(published)
    # A correction under way changes nothing the public sees until it is published.
    assert ORIGINAL in client.get(url).content.decode()
    meeting_approve(meeting=published, by=approver)
    meeting_publish(meeting=published, by=approver, note="Corrected the decision")
    for address in (url, welsh):
        page = client.get(address).content.decode()
        assert CORRECTED in page
        assert ORIGINAL not in page

    meeting_withdraw(meeting=published, by=approver, reason="Wrong attendance")
    for address in (url, welsh):
        assert client.get(address).status_code == 404
