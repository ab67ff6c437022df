"""The daily upkeep: `manage.py send_action_reminders`, run once a day (docs/deployment.md),
sends `daily_upkeep` after its reminders, and each app connects what it tidies then (the
minutes app: the staff previews kept past their hour). The apps stay unaware of each other."""

from django.dispatch import Signal

daily_upkeep = Signal()
