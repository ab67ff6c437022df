"""English here is British English: Django's en_GB formats under the "en" code of the URLs."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
