"""The layout a newcomer relies on: one import path per name, module names that say which
module they are, and test helpers in the factories module, not in a conftest."""

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["server", "reward_model"]
# The files every area has (STYLE: routes, schemas, services, models, its CLI), told apart
# by their package.
PER_AREA = {"__init__.py", "routes.py", "schemas.py", "services.py", "models.py", "cli.py"}
# The app factory lives in the package's own __init__, and imports what it binds.
FACTORY = ROOT / "server" / "__init__.py"


def _modules() -> list[Path]:
    """Every Python module of the server and the library."""
    return [file for package in PACKAGES for file in (ROOT / package).rglob("*.py")]


def test_no_package_init_re_exports_its_modules():
    offenders = []
    for init in (f for f in _modules() if f.name == "__init__.py" and f != FACTORY):
        tree = ast.parse(init.read_text(), str(init))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (
                node.level or (node.module or "").split(".")[0] in PACKAGES
            ):
                offenders.append(f"{init.relative_to(ROOT)}: from {node.module}")
    assert not offenders, offenders


def test_module_names_do_not_collide_across_packages():
    names = Counter(f.name for f in _modules() if f.name not in PER_AREA)
    assert [name for name, n in names.items() if n > 1] == []


def test_tests_import_helpers_from_factories_never_from_a_conftest():
    offenders = []
    for file in (ROOT / "tests").rglob("*.py"):
        text = file.read_text()
        for node in ast.walk(ast.parse(text, str(file))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("conftest"):
                offenders.append(f"{file.relative_to(ROOT)}: from {node.module}")
        if "conftest import" in text and file.name != "test_layout.py":
            offenders.append(f"{file.relative_to(ROOT)}: a script importing a conftest")
    assert not offenders, offenders
