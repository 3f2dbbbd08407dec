"""The deploy shape's memory: each process's resident memory with the stack running as
``make run`` runs it (gunicorn web workers, the scorer, the RQ worker) after a score request
and some feedback, whether each one mapped torch, and each image's size: ``docker image ls``
when a Docker engine answers, else the installed size of each image's dependency set (the
``web`` image: the project without extras; ``ml``: with the ``train`` extra), measured from
this virtualenv's installed files (the python:3.11-slim base is not counted).

    python bench/deploy_footprint.py
"""

import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import requests
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live import LiveServer  # noqa: E402

IMAGES = {"liftledger-web": (), "liftledger-ml": ("train",)}


def _rss_mib(pid: int) -> float:
    """Resident memory of a process, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _maps_torch(pid: int) -> bool:
    """Whether the process mapped torch's shared library."""
    return "libtorch" in Path(f"/proc/{pid}/maps").read_text()


def _children(pid: int) -> list[int]:
    """A process's direct children."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _closure(root: str, extras: tuple[str, ...]) -> set[str]:
    """The installed distributions a project with these extras needs (itself excluded)."""
    seen: set[str] = set()
    todo = [(root, extras)]
    while todo:
        name, wanted = todo.pop()
        for text in distribution(name).requires or []:
            req = Requirement(text)
            envs = [{"extra": e} for e in wanted] or [{"extra": ""}]
            if req.marker and not any(req.marker.evaluate(env) for env in envs):
                continue
            key = canonicalize_name(req.name)
            if key not in seen:
                seen.add(key)
                todo.append((req.name, tuple(req.extras)))
    return seen


def _installed_mib(names: set[str]) -> float:
    """Installed size of these distributions' files, MiB."""
    total = 0
    for name in names:
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        for file in dist.files or []:
            path = Path(dist.locate_file(file))
            if path.is_file():
                total += path.stat().st_size
    return total / 2**20


def image_sizes() -> None:
    """Print each image's size, or its dependency set's installed size without Docker."""
    try:
        out = subprocess.run(
            ["docker", "image", "ls", "--format", "{{.Repository}} {{.Size}}"],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        docker = out.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        docker = False
    if docker:
        sizes = dict(line.split(" ", 1) for line in out.stdout.splitlines() if line)
        for image in IMAGES:
            print(f"  image {image}: {sizes.get(image, 'not built (docker compose build)')}")
        return
    print("  no Docker engine answers here: installed size of each image's dependency set")
    for image, extras in IMAGES.items():
        names = _closure("liftledger", extras)
        heavy = sorted(n for n in ("torch", "transformers", "trl") if n in names)
        print(
            f"  image {image}: {len(names)} distributions, {_installed_mib(names):,.0f} MiB "
            f"(torch stack: {', '.join(heavy) or 'none'})"
        )


def _tiny_round(server: LiveServer, folder: Path, redis_url: str) -> None:
    """A finished round serving a real (untrained) tiny model."""
    from reward_model.backbones import load_backbone
    from tests.factories import make_training_round

    model, tokenizer = load_backbone("tiny")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    with server.seeding_app(redis_url).app_context():
        make_training_round(artifact_path=str(folder))


def processes() -> None:
    """Run the stack, use it, print each process's resident memory."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        server = LiveServer(tmp / "web", workers=2)
        redis_url = server.env["REDIS_URL"]
        server.env["SCORER_SOCKET"] = str(Path(tempfile.mkdtemp(dir="/tmp")) / "scorer.sock")
        _tiny_round(server, tmp / "model", redis_url)
        log = open(tmp / "children.log", "wb")  # noqa: SIM115 (closed below)
        scorer = subprocess.Popen(
            [sys.executable, "-m", "server.scoring.scorer_service"],
            cwd=ROOT, env=server.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
            cwd=ROOT, env=server.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        server.start()
        try:
            while not Path(server.env["SCORER_SOCKET"]).exists():
                time.sleep(0.1)
            _, token = server.device_token()
            headers = {"Authorization": f"Bearer {server.sign_in()['access_token']}"}
            for _ in range(4):  # each web worker likely serves one
                res = requests.post(
                    server.url + "/api/v1/reward/score",
                    json={"prompt": "Hi", "answer": "Hello!"},
                    headers=headers,
                    timeout=120,
                )
                res.raise_for_status()
            time.sleep(1)
            rows = [(f"web worker (gunicorn, pid {p})", p) for p in _children(server.process.pid)]
            rows += [("scorer (model loaded)", scorer.pid), ("RQ worker (idle)", worker.pid)]
            print(f"  score answer: {res.json()}")
            for name, pid in rows:
                torch = "maps torch" if _maps_torch(pid) else "no torch"
                print(f"  {name:<34} {_rss_mib(pid):7.1f} MiB resident, {torch}")
        finally:
            server.stop()
            for child in (scorer, worker):
                child.terminate()
                child.wait(timeout=30)
            log.close()


def main() -> None:
    """Print both parts."""
    print("processes (resident memory after a score request):")
    processes()
    print("images:")
    image_sizes()


if __name__ == "__main__":
    main()
