"""Welsh formats: Django's, with the day named ("Dydd Iau 13 Mawrth 2014") and 24-hour times as
the English documents print them (Django's "2:30 y.b." is not how minutes give times)."""

from django.conf.locale.cy.formats import *  # noqa: F403

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
