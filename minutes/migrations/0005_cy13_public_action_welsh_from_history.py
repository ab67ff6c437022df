"""The public actions log gains the Welsh that Welsh minutes published before it kept any printed:
each live publication with Welsh minutes whose stored actions carry no Welsh gets, beside each
English text, the Welsh the record had when it was published (from the audit history, only where
its English is the English published); then every board's log is rebuilt from the publications."""

import importlib

from django.db import migrations
from django.db.models import QuerySet

from minutes.actions_log import welsh_as_published


def forward(apps, schema_editor):
    Publication = apps.get_model("meetings", "Publication")
    PublicAction = apps.get_model("minutes", "PublicAction")
    actions_history = apps.get_model("actions", "HistoricalAction")
    reviews_history = apps.get_model("actions", "HistoricalActionUpdate")
    publications = (
        Publication.objects.filter(withdrawn_at__isnull=True)
        .exclude(minutes_html_cy="")
        .values_list("pk", "meeting_id", "published_at", "actions")
    )
    for pk, meeting_id, published_at, rows in publications:
        if not rows or any(key.endswith("_cy") for row in rows for key in row):
            continue
        welsh = welsh_as_published(
            rows,
            meeting_id=meeting_id,
            published_at=published_at,
            actions_history=actions_history,
            reviews_history=reviews_history,
        )
        if welsh != rows:  # a plain queryset: the model's own refuses any change, by design
            QuerySet(model=Publication).filter(pk=pk).update(actions=welsh)
    PublicAction.objects.all().delete()
    importlib.import_module("minutes.migrations.0002_build_public_actions").build(
        apps, schema_editor
    )


class Migration(migrations.Migration):
    dependencies = [
        ("minutes", "0004_cy13_public_action_welsh"),
        ("meetings", "0017_cy13_correction_note_welsh"),
        ("actions", "0010_c9_body_scope"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
