"""The apps are layered: `scrutiny` at the bottom, then `meetings`, then `actions`, then `minutes`.
No import runs back up (read from the source, so an import inside a function counts too)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LAYERS = ["scrutiny", "meetings", "actions", "minutes"]
# scrutiny/urls.py mounts every app's URLs: the one place the bottom layer names the others.
ALLOWED = {("scrutiny/urls.py", "minutes"), ("scrutiny/urls.py", "actions")}


def imported_apps(path: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        apps |= {name.split(".")[0] for name in names} & set(LAYERS)
    return apps


def upward_imports(layer: str) -> list[str]:
    above = set(LAYERS[LAYERS.index(layer) + 1 :])
    found = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        for app in sorted(imported_apps(path) & above):
            if (relative, app) not in ALLOWED:
                found.append(f"{relative} imports {app}")
    return found


@pytest.mark.parametrize("layer", LAYERS[:-1])
def test_no_import_runs_back_up(layer):
    assert upward_imports(layer) == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from minutes.services import meeting_publish\n")
    assert imported_apps(module) == {"minutes"}
