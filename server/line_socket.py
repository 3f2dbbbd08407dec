"""One JSON request line, one JSON answer line, over a unix socket only this user can use.

The voucher signer (`server.rewards.signer_service`) and the scorer
(`server.scoring.scorer_service`) are separate processes the web asks this way, so web
workers hold neither the signer key nor torch. A service object answers a raw line with a
dict (``answer(line) -> dict``); a line over the server's ``max_request`` bytes is refused
unread.
"""

import json
import os
import socket
import socketserver
from pathlib import Path


def exchange(path: Path, request: dict, timeout: float) -> dict:
    """Send one request line to the service at ``path``, read its one answer line."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(str(path))
        conn.sendall(json.dumps(request).encode() + b"\n")
        with conn.makefile("rb") as reader:
            return json.loads(reader.readline())


class LineHandler(socketserver.StreamRequestHandler):
    """One connection: one request line, one answer line."""

    def setup(self) -> None:
        """Read and write with the server's per-connection timeout."""
        self.timeout = self.server.connection_timeout
        super().setup()

    def handle(self) -> None:
        """Answer the request (a line over the server's max_request bytes is refused unread)."""
        limit = self.server.max_request
        line = self.rfile.readline(limit + 1)
        if len(line) > limit:
            reply = {"ok": False, "reason": "invalid", "message": "Request too large."}
        else:
            reply = self.server.service.answer(line)
        self.wfile.write(json.dumps(reply).encode() + b"\n")


class PrivateLineServer(socketserver.UnixStreamServer):
    """A unix-socket server for one service, answering one request at a time; subclasses set
    ``max_request`` and ``connection_timeout`` (and may mix in threading)."""

    max_request = 64 * 1024
    connection_timeout = 10.0

    def __init__(self, path: Path, service) -> None:
        """Bind ``path`` (a stale socket file is replaced), usable by this user only."""
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        self.service = service
        old = os.umask(0o077)
        try:
            super().__init__(str(path), LineHandler)
        finally:
            os.umask(old)
