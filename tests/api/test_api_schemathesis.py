"""Schemathesis against the served OpenAPI: thousands of generated requests, no 5xx."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from rekisteri.core.actors import SYSTEM
from rekisteri.register.services import PersonIn, customership_start, person_register
from rekisteri.staff.keys import Scope, api_key_create
from tests import policy_keys as keys

MIN_REQUESTS = 2000


@pytest.mark.django_db(transaction=True)
def test_generated_requests_get_no_server_error_and_no_answer_outside_the_schema(
    served: str, tmp_path: Path
) -> None:
    _, key = api_key_create(
        actor=SYSTEM,
        name="fuzzer",
        scopes=[str(s) for s in Scope],
        # The relationship, marketing and the purpose that opens payments (Mainioco's
        # service delivery), so that reads of every kind are fuzzed.
        purposes=sorted(
            {
                keys.relationship_purpose(),
                keys.marketing_purpose(),
                keys.purposes_of("invoice.number")[0],
            }
        ),
    )
    person = person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=PersonIn(first_name="Aino", last_name="Virtanen", email="aino@example.fi"),
    )
    customership = customership_start(
        actor=SYSTEM,
        person_id=person.pk,
        source=keys.service_source(),
        started_on=dt.date(2024, 1, 1),
    )
    # Real ids, so that generated requests reach the logic behind the 404s.
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n"
        f'"path.person_id" = {person.pk}\n'
        f'"path.customership_id" = {customership.pk}\n'
        # A generated query string can pass the HTTP server's 4 KiB request-line limit:
        # its 414 is a refusal too (and documented in the OpenAPI).
        "[checks.negative_data_rejection]\n"
        'expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "414", '
        '"415", "422", "428", "429"]\n'
    )

    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(config),
            "run",
            f"{served}/api/openapi.json",
            "--checks",
            "all",
            # Schema-valid data can still break a business rule (a phone number that
            # does not exist, a source the policy does not list): that is a declared
            # 400 with our error format, not a failure.
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            "100",
            "--seed",
            "20261125",
            "--workers",
            "2",
            "--header",
            f"Authorization: Bearer {key}",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )

    requests = sum(
        1
        for line in (tmp_path / "access.log").read_text().splitlines()
        if '"GET /api/openapi' not in line and " /api/" in line
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert requests >= MIN_REQUESTS, f"only {requests} requests were made"
    server_errors = [
        line for line in (tmp_path / "access.log").read_text().splitlines() if '" 5' in line
    ]
    assert server_errors == []
