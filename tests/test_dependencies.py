"""Every third-party module the project imports belongs to a package pyproject.toml declares."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN = {"server", "reward_model", "tests", "bench", "wsgi"}
SOURCES = ["server", "reward_model", "tests", "bench", "migrations", "wsgi.py"]


def _normal(name: str) -> str:
    """A distribution name in PEP 503 normal form."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    """Distributions named in dependencies and every optional extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    return {_normal(re.split(r"[\s<>=!~\[;]", spec, maxsplit=1)[0]) for spec in specs}


def _imported() -> dict[str, set[str]]:
    """Top-level module names imported anywhere in the project, with the files importing them."""
    found: dict[str, set[str]] = {}
    for source in SOURCES:
        path = ROOT / source
        for file in path.rglob("*.py") if path.is_dir() else [path]:
            for node in ast.walk(ast.parse(file.read_text(), str(file))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], set()).add(file.name)
    return found


def test_every_import_is_declared():
    owners = packages_distributions()
    declared = _declared()
    missing = {}
    for module, files in _imported().items():
        if module in sys.stdlib_module_names or module in OWN:
            continue
        dists = {_normal(d) for d in owners.get(module, [])}
        if not dists & declared:
            missing[module] = sorted(files)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
