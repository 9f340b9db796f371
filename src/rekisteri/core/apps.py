from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _private_sqlite_files(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite makes the database file (and its journal) with the umask's mode: make it 0600."""
    if connection.vendor != "sqlite":
        return
    from rekisteri.core.files import tighten

    name = str(connection.settings_dict["NAME"])
    if name and name != ":memory:" and not name.startswith("file:"):
        for path in (name, f"{name}-wal", f"{name}-shm"):
            tighten(path)


class CoreConfig(AppConfig):
    name = "rekisteri.core"
    label = "core"
    verbose_name = "Rekisteri core"

    def ready(self) -> None:
        connection_created.connect(_private_sqlite_files, dispatch_uid="rekisteri-private-sqlite")
