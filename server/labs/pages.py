"""The lab page: list snapshots, create one with filters, read its card, download it.

A plain server-rendered shell; its script talks to the datasets API with the lab's key,
which the page keeps in sessionStorage only.
"""

from flask import Blueprint, render_template

from server.auth.models import LICENCES
from server.feedback.models import KINDS, SITES, TAGS
from server.labs.services import LAB_SCOPES

pages_bp = Blueprint(
    "labs_pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/labs/static",
)


@pages_bp.get("/labs")
def labs_page():
    """The lab's dataset page."""
    return render_template(
        "labs/index.html",
        sites=SITES,
        kinds=KINDS,
        tags=TAGS,
        licences=[lic for lic in LICENCES if lic != "no-training"],
        scopes=sorted(LAB_SCOPES),
    )
