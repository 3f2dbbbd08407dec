"""The extension's sites, tags and licences (extension/common/messages.js, defined once there)
are the server's: a drift on either side fails here."""

import re
from pathlib import Path

import pytest

from server.auth.models import LICENCES
from server.feedback.models import SITES, TAGS

EXTENSION = Path(__file__).resolve().parents[2] / "extension"
SOURCE = (EXTENSION / "common" / "messages.js").read_text()


def js_list(name: str) -> list[str]:
    """The string array assigned to `export const <name> = Object.freeze([...])`."""
    match = re.search(rf"export const {name} = Object\.freeze\(\[(.*?)\]\)", SOURCE, re.S)
    assert match, f"{name} is no longer a frozen array in common/messages.js"
    return re.findall(r"'([^']*)'", match.group(1))


@pytest.mark.parametrize(
    ("name", "server"), [("SITES", SITES), ("TAGS", TAGS), ("LICENCES", LICENCES)]
)
def test_extension_vocabulary_matches_the_server(name, server):
    assert js_list(name) == list(server)


def test_no_other_extension_file_spells_the_vocabulary_out():
    """Popup, options and panel build their lists from common/messages.js."""
    spelled = {"factually_wrong", "research-only", "no-training", "cc-by-4.0"}
    for path in EXTENSION.rglob("*"):
        if "node_modules" in path.parts or "test" in path.parts or not path.is_file():
            continue
        if path.suffix not in {".js", ".html"} or path.name == "messages.js":
            continue
        text = path.read_text()
        leaked = [word for word in spelled if f"'{word}'" in text or f'"{word}"' in text]
        assert not leaked, f"{path.relative_to(EXTENSION)} spells out {leaked}"
