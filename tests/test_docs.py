"""docs/architecture.md stays true to the code: every path it names exists, every API URL it
names is served, and every model it lists is a model."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "architecture.md").read_text()


def test_every_named_path_exists():
    paths = set(
        re.findall(r"`((?:server|reward_model|extension|chain|tests|migrations)/[^`\s]*)`", DOC)
    )
    assert len(paths) > 40
    missing = sorted(p for p in paths if not (ROOT / p.rstrip("/")).exists())
    assert not missing, f"docs/architecture.md names files that do not exist: {missing}"


def test_every_named_api_url_is_served(app):
    def shape(url: str) -> str:
        """A URL with each placeholder blanked: `<id:round_id>` and `<id>` read the same."""
        return re.sub(r"<[^>]*>", "<>", url)

    rules = {shape(r.rule) for r in app.url_map.iter_rules()}
    urls = {shape(u) for u in re.findall(r"`(?:GET|POST|PATCH|DELETE) (/api/v1/[^`\s]*)`", DOC)}
    assert len(urls) > 8
    missing = sorted(u for u in urls if u not in rules)
    assert not missing, f"docs/architecture.md names URLs the app does not serve: {missing}"


def test_every_named_model_exists():
    from server.extensions import db
    from tests import factories  # noqa: F401  (imports every model module)

    names = {m.class_.__name__ for m in db.Model.registry.mappers}
    rows = re.findall(r"\| `[a-z_]+`(?:, `[a-z_]+`)? \| `[^`]+` `(\w+)` \|", DOC)
    assert rows and not set(rows) - names
