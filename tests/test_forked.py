"""Work handed to a forked copy of the process (scrutiny.forked, used by generate_data to
render a board's pages on another core): the same results, and never a query from the copy,
which shares the process's database connection. Run in a process of its own, as the command
runs (a test process may have threads, where nothing is forked)."""

import json
import os
import subprocess
import sys

from django.conf import settings

SCRIPT = """
import json, os, django
django.setup()
from django.db import connection
from scrutiny.forked import Later, can_fork

def square(i):
    return [i * i, os.getpid()]

def query(i):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return [i, os.getpid()]

connection.ensure_connection()
forked = Later(square, range(40)).result()
refused = Later(query, range(3)).result()
own = Later(query, range(3), own_connection=True).result()
with connection.cursor() as cursor:
    cursor.execute("SELECT 42")
    after = cursor.fetchone()[0]
here = Later(square, range(3), fork=False).result()
print(json.dumps({"can_fork": can_fork(), "pid": os.getpid(), "forked": forked,
                  "refused": refused, "own": own, "after": after, "here": here}))
"""


def test_a_forked_copy_works_out_the_list_and_never_queries():
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "scrutiny.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(run.stdout.splitlines()[-1])
    pid = found["pid"]
    assert [value for value, _pid in found["forked"]] == [i * i for i in range(40)]
    assert found["can_fork"] == ((os.cpu_count() or 1) > 1)
    if found["can_fork"]:
        # Worked out by one copy, another process than this one.
        copies = {where for _value, where in found["forked"]}
        assert len(copies) == 1
        assert pid not in copies
        # With a connection of its own, the copy queries (and leaves this one's alone).
        assert [value for value, _pid in found["own"]] == [0, 1, 2]
        assert pid not in {where for _value, where in found["own"]}
    # The copy's query was refused: the list was worked out here, and the process's own
    # connection still works.
    assert found["refused"] == [[i, pid] for i in range(3)]
    assert found["after"] == 42
    assert found["here"] == [[i * i, pid] for i in range(3)]
