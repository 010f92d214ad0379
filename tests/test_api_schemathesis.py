"""Property-based run over the whole OpenAPI schema with every schemathesis check (no 5xx,
status codes and bodies as documented, schema-valid requests accepted, invalid ones
rejected, unsupported methods refused …), positive and negative cases."""

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import load_all_checks

from minerals_graph.api import create_app
from minerals_graph.api.state import build_state

_state = None


def _app():
    global _state
    if _state is None:
        _state = build_state(with_maps=False)
    return create_app(state=_state)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())
load_all_checks()


def _inverted_bbox(query) -> bool:
    """A bounding box whose minimum is above its maximum: a rule across two parameters,
    which OpenAPI cannot state (the parameters' descriptions say it)."""
    if not isinstance(query, dict):
        return False
    for lo, hi in (("min_lon", "max_lon"), ("min_lat", "max_lat")):
        try:
            if float(query[lo]) > float(query[hi]):
                return True
        except (KeyError, TypeError, ValueError):
            continue
    return False


def test_every_check_is_on():
    """The run below uses schemathesis's default: every built-in check, both modes."""
    from schemathesis.generation.modes import GenerationMode

    assert set(schema.config.generation.modes) == set(GenerationMode)
    names = {c.__name__ for c in schemathesis.checks.CHECKS.get_all()}
    assert {"not_a_server_error", "status_code_conformance", "positive_data_acceptance"} <= names
    assert {"negative_data_rejection", "response_schema_conformance", "unsupported_method"} <= names


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("MG_SCHEMATHESIS_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms(case):
    checks = list(schemathesis.checks.CHECKS.get_all())
    if _inverted_bbox(case.query):
        # schema-valid parameter by parameter, but the box is inverted: the server must refuse
        # it (422, naming the bound); every other check still applies
        response = case.call()
        assert response.status_code == 422, response.text
        case.validate_response(response, checks=[c for c in checks if c.__name__ != "positive_data_acceptance"])
        return
    case.call_and_validate(checks=checks)
