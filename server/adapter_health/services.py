"""Store adapter-health events and count them for admins."""

from server.adapter_health.models import AdapterHealthEvent
from server.extensions import db


def record_event(site: str, adapter_version: str, selector: str, problem: str) -> None:
    """Store one anonymous event."""
    db.session.add(
        AdapterHealthEvent(
            site=site, adapter_version=adapter_version, selector=selector, problem=problem
        )
    )
    db.session.commit()


def count_events() -> list[dict]:
    """Counts per site, adapter version, selector and problem, most recent first."""
    e = AdapterHealthEvent
    rows = (
        db.session.query(
            e.site,
            e.adapter_version,
            e.selector,
            e.problem,
            db.func.count(e.id),
            db.func.max(e.created_at),
        )
        .group_by(e.site, e.adapter_version, e.selector, e.problem)
        .order_by(db.func.max(e.created_at).desc())
        .all()
    )
    keys = ("site", "adapter_version", "selector", "problem", "count", "last_seen")
    return [dict(zip(keys, row, strict=True)) for row in rows]
