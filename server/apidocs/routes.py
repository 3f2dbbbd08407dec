"""/api/docs: Swagger UI from the pinned ``flask-swagger-ui`` package's files, no CDN.

flask-smorest's own page loads unpinned scripts from a public CDN and starts them with an
inline script; this page serves the same UI from the installed package and starts it from a
local file, so it renders offline and under a ``script-src 'self'`` policy.
"""

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, render_template, send_from_directory, url_for
from flask.typing import ResponseReturnValue

docs_bp = Blueprint(
    "apidocs",
    __name__,
    url_prefix="/api/docs",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
# The files of Swagger UI itself (5.x: it reads OpenAPI 3.1); the package's version pins them.
# Only the files are used: the package's blueprint starts the UI with an inline script.
SWAGGER_UI = Path(flask_swagger_ui.__file__).resolve().parent / "dist"


@docs_bp.get("")
def docs() -> str:
    """The Swagger UI page for this service's OpenAPI document."""
    return render_template("apidocs/index.html", spec_url=url_for("api-docs.openapi_json"))


@docs_bp.get("/swagger-ui/<path:filename>")
def swagger_ui(filename: str) -> ResponseReturnValue:
    """A file of the pinned Swagger UI distribution."""
    return send_from_directory(SWAGGER_UI, filename, max_age=24 * 3600)
