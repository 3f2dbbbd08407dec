"""Every model has a row factory in tests/factories.py, and each one makes a valid row."""

import re

import pytest

from server.extensions import db
from tests import factories

# tests.factories imports every model module, so the registry is complete here.
MODELS = sorted((m.class_ for m in db.Model.registry.mappers), key=lambda c: c.__name__)


def _factory_name(model: type) -> str:
    """``make_<snake_case of the model>``; the User row factory is make_account (make_user
    signs a wallet in over HTTP)."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()
    return {"user": "make_account"}.get(snake, f"make_{snake}")


def test_every_model_has_a_factory():
    missing = [m.__name__ for m in MODELS if not hasattr(factories, _factory_name(m))]
    assert not missing, f"add make_* factories to tests/factories.py for: {missing}"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_row_factories_make_rows_that_read_back(app, model):
    factory = getattr(factories, _factory_name(model))
    with app.app_context():
        row = factory()
        assert isinstance(row, model)
        key = db.inspect(row).identity
        db.session.expire_all()
        assert key is not None and db.session.get(model, key) is not None
