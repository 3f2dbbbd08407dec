"""GET /me/contributions says when an item is a copy of an earlier post and earns 0."""

from server.auth.models import User
from server.extensions import db
from tests.factories import make_preference, make_preference_value, make_training_round, sign_in


def _user_id(address: str) -> int:
    """The id of the signed-in user with this address."""
    return db.session.execute(db.select(User.id).where(User.address == address)).scalar_one()


def test_a_copy_says_so_and_the_original_does_not(app, client):
    """The first poster's item carries no copy line; the later near-duplicate and the later
    account on the first post's own pair each get one line saying they earn 0."""
    alice, bob = sign_in(client), sign_in(client)
    with app.app_context():
        a, b = _user_id(alice["address"]), _user_id(bob["address"])
        round_ = make_training_round(metrics={"mean_lift_per_pair": 1e-4})
        first = make_preference(author_ids=[a, b])
        near = make_preference(author_ids=[b], index=1)
        make_preference_value(round_id=round_.id, preference_id=first.id, lift=3e-4,
                              first_preference_id=first.id, credited_user_id=a)  # fmt: skip
        make_preference_value(round_id=round_.id, preference_id=near.id, lift=0.0, weight=0.0,
                              first_preference_id=first.id, credited_user_id=None)  # fmt: skip
        first_id, near_id = first.id, near.id
    (mine,) = client.get("/api/v1/me/contributions", headers=alice["headers"]).get_json()
    assert mine["preference_id"] == first_id and mine["copy_line"] is None
    assert mine["copy_of"] is None
    theirs = client.get("/api/v1/me/contributions", headers=bob["headers"]).get_json()
    lines = {c["preference_id"]: c for c in theirs}
    assert "earns 0" in lines[near_id]["copy_line"] and lines[near_id]["copy_of"] == first_id
    assert f"#{first_id}" in lines[near_id]["copy_line"]
    assert "before you" in lines[first_id]["copy_line"] and lines[first_id]["copy_of"] == first_id
