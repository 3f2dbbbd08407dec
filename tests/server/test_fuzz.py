"""Fuzzing: schemathesis generates requests for every operation in /api/openapi.json, valid and
invalid, sent anonymously and with each kind of credential the service issues (contributor
JWT, admin JWT, device token, lab key, a bogus token). Every response must be a non-5xx that
keeps to the operation's own documented schema, status codes and content type.

At least 1,000 generated cases run (the count is asserted); examples are derandomized so a run
is reproducible, and every failure is collected so one run reports them all."""

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.auth import services as auth_services
from server.auth.models import User
from server.auth.tokens import issue_access_token
from server.extensions import db
from tests.factories import make_credits, make_lab_key, sign_in, user_id

# Examples per operation and mode (valid, invalid); 25 x 2 x 35 operations -> ~1,500 cases.
EXAMPLES_PER_MODE = int(os.environ.get("FUZZ_EXAMPLES", "25"))
MIN_CASES = 1000
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]
WHO = ("anonymous", "contributor", "admin", "device", "lab", "bogus")


@pytest.fixture
def credentials(app, client, runner, signer, scorer, make_round):
    """Real accounts and data to aim at: seeded feedback, an admin, a lab key and a snapshot,
    a contributor with a credited balance, a configured voucher signer and the scorer process's
    service; returns a function that mints fresh headers for one kind of caller (a fuzzed
    request may revoke a token)."""
    seeded = runner.invoke(args=["demo", "seed", "--contributors", "2", "--hh", "6", "--qa", "4"])
    assert seeded.exit_code == 0, seeded.output
    contributor = sign_in(client)
    make_credits(app, make_round(), {user_id(app, contributor["address"]): 1.0})
    admin = sign_in(client)
    runner.invoke(args=["users", "set-role", admin["address"], "admin"])
    lab = make_lab_key(runner, "Fuzz Lab")
    client.post("/api/v1/datasets", json={"name": "fuzz"}, headers=lab)
    users = {"contributor": contributor["address"], "admin": admin["address"]}

    def headers(who: str) -> dict:
        if who == "anonymous":
            return {}
        if who == "bogus":
            return {"Authorization": "Bearer not-a-token"}
        if who == "lab":
            return lab
        address = users["admin" if who == "admin" else "contributor"]
        user = db.session.execute(db.select(User).filter_by(address=address)).scalar_one()
        if who == "device":
            _, token = auth_services.create_device(user.id, "fuzz")
        else:
            token, _ = issue_access_token(user)
        return {"Authorization": f"Bearer {token}"}

    return headers


def _fuzz(app, credentials, operation, mode, cases: Counter, failures: set) -> None:
    """Run one operation's generated cases in one mode, each as a random kind of caller."""

    @settings(
        max_examples=EXAMPLES_PER_MODE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), who=st.sampled_from(WHO))
    def run(case, who):
        with app.app_context():
            headers = credentials(who)
            db.session.remove()
        response = case.call(headers=headers)
        cases[operation.label] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, BaseExceptionGroup) as exc:  # one failure or a group
            for failure in getattr(exc, "exceptions", [exc]):
                title = str(failure).splitlines()[0]
                failures.add(f"{operation.label} as {who} -> {response.status_code}: {title}")

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid: no parameters and no body
        assert mode is GenerationMode.NEGATIVE
        assert not operation.path_parameters and not operation.query and not operation.body


def test_every_operation_survives_fuzzing(app, credentials):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    cases: Counter = Counter()
    failures: set[str] = set()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(app, credentials, operation, mode, cases, failures)

    print(f"fuzzed {sum(cases.values())} cases over {len(cases)} operations")  # pytest -s
    assert not failures, "\n".join(sorted(failures))
    assert sum(cases.values()) >= MIN_CASES, cases
    assert set(cases) == {operation.label for operation in operations}  # every one was called
