"""The committed artifacts are what the pinned solc-js compiles from the sources."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

CHAIN = Path(__file__).resolve().parents[2] / "chain"
NEEDS_SOLC = pytest.mark.skipif(
    not (CHAIN / "node_modules" / "solc").is_dir() or shutil.which("node") is None,
    reason="run `npm ci` in chain/ (and have node) to recompile",
)


def run_check(chain_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run ``node compile.mjs --check`` in ``chain_dir``."""
    return subprocess.run(
        ["node", "compile.mjs", "--check"],
        cwd=chain_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_artifacts_carry_abi_and_bytecode():
    for name in ("LiftToken", "LiftClaims"):
        artifact = json.loads((CHAIN / "artifacts" / f"{name}.json").read_text())
        assert artifact["compiler"]["version"].startswith("0.8.37+")
        # Runtime code ends in solc's CBOR metadata naming the compiler: 0.8.37 is 0x000825.
        assert artifact["deployedBytecode"].endswith("64736f6c6343000825" + "0033")
        assert artifact["bytecode"].endswith(artifact["deployedBytecode"][-100:])
        assert {entry.get("name") for entry in artifact["abi"]} >= {"owner", "transferOwnership"}


@pytest.mark.slow
@NEEDS_SOLC
def test_recompiling_reproduces_committed_artifacts():
    result = run_check(CHAIN)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
@NEEDS_SOLC
def test_check_notices_a_changed_source(tmp_path):
    for part in ("contracts", "artifacts"):
        shutil.copytree(CHAIN / part, tmp_path / part)
    shutil.copy(CHAIN / "compile.mjs", tmp_path / "compile.mjs")
    (tmp_path / "node_modules").symlink_to(CHAIN / "node_modules")
    source = tmp_path / "contracts" / "LiftClaims.sol"
    # Even a comment changes the metadata hash embedded in the bytecode.
    source.write_text(source.read_text().replace("@title LiftClaims", "@title LiftClaims v2"))
    result = run_check(tmp_path)
    assert result.returncode == 1
    assert "LiftClaims.json" in result.stderr
