"""The router: which reads may go to a replica, and how settings name the replicas.

The routing against a real streaming replica is tests/core/test_routing_replica.py
(PostgreSQL); these hold on any database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import router, transaction

from rekisteri.audit.models import AuditEntry
from rekisteri.core.routing import read_alias, stale_reads
from rekisteri.register.models import Person

REPLICAS = ["replica_1", "replica_2"]


@pytest.fixture
def two_replicas(settings: Any) -> None:
    settings.REKISTERI_DATABASE_REPLICAS = REPLICAS


def test_without_replicas_every_read_is_on_the_primary(settings: Any) -> None:
    settings.REKISTERI_DATABASE_REPLICAS = []
    with stale_reads():
        assert router.db_for_read(Person) == "default"


def test_only_a_stale_block_reads_a_replica_and_one_block_keeps_one(two_replicas: None) -> None:
    assert router.db_for_read(Person) == "default"
    with stale_reads():
        first = router.db_for_read(Person)
        with stale_reads():
            assert router.db_for_read(AuditEntry) == first
    with stale_reads():
        second = router.db_for_read(Person)
    assert router.db_for_read(Person) == "default"
    # The replicas take turns block by block.
    assert {first, second} == set(REPLICAS)


def test_writes_always_go_to_the_primary(two_replicas: None) -> None:
    with stale_reads():
        assert router.db_for_write(Person) == "default"
        assert router.db_for_write(AuditEntry) == "default"


@pytest.mark.django_db
def test_inside_a_transaction_a_stale_block_reads_the_primary(two_replicas: None) -> None:
    with transaction.atomic(), stale_reads():
        assert read_alias() == "default"
        assert router.db_for_read(Person) == "default"


def test_migrations_run_on_the_primary_alone(two_replicas: None) -> None:
    assert router.allow_migrate("default", "register")
    assert not router.allow_migrate("replica_1", "register")
    assert not router.allow_migrate("replica_2", "audit", model_name="auditentry")


SHOW_DATABASES = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(sorted(s.DATABASES), s.REKISTERI_DATABASE_REPLICAS, s.DATABASE_ROUTERS, "
    "[(s.DATABASES[a]['HOST'], s.DATABASES[a]['TEST']['MIRROR']) "
    "for a in s.REKISTERI_DATABASE_REPLICAS])"
)


def _start(env_overrides: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REKISTERI_", "DATABASE_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "rekisteri.settings", "REKISTERI_VAR_DIR": str(tmp_path)})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", SHOW_DATABASES], env=env, capture_output=True, text=True, timeout=60
    )


def test_a_comma_separated_replica_url_makes_replicas_that_tests_never_create(
    tmp_path: Path,
) -> None:
    result = _start(
        {
            "DATABASE_URL": "postgres://app@primary.invalid:5432/rekisteri",
            "DATABASE_REPLICA_URL": "postgres://app@r1.invalid/rekisteri, "
            "postgres://app@r2.invalid/rekisteri",
        },
        tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['default', 'replica_1', 'replica_2'] ['replica_1', 'replica_2'] "
        "['rekisteri.core.routing.ReplicaRouter'] "
        "[('r1.invalid', 'default'), ('r2.invalid', 'default')]"
    )


def test_without_a_replica_url_there_is_the_primary_alone(tmp_path: Path) -> None:
    result = _start({}, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("['default'] []")


def test_a_replica_of_an_sqlite_register_is_refused(tmp_path: Path) -> None:
    result = _start({"DATABASE_REPLICA_URL": "postgres://app@r1.invalid/rekisteri"}, tmp_path)

    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL names PostgreSQL streaming replicas" in result.stderr
