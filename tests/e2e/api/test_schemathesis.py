"""Fuzz every operation of the OpenAPI schema over real HTTP (schemathesis): no input may
get a 5xx, and every response must conform to the schema (status codes, content types and
bodies).

schemathesis's pytest plugin does not run under pytest 9 (it reaches for a private
attribute), so each operation's hypothesis strategy is driven here directly; the checks
are schemathesis's own.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks as st_checks

pytestmark = pytest.mark.api

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]


def test_every_operation_conforms_and_never_fails(base_url, api_headers):
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40  # every command and every read is in the schema
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=50, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(base_url=base_url, headers=api_headers, checks=CHECKS)

        try:
            run()
        except Exception as e:  # collect all, report together
            failures.append(f"{operation.label}: {str(e)[:1500]}")
    assert not failures, "\n\n".join(failures)
