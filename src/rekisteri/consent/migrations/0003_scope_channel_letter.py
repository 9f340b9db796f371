"""A consent scope's channel "post" is stored as "letter", the one vocabulary's name.

"<purpose>:post" becomes "<purpose>:letter"; a recipient's scope
("disclosure:<recipient>") names no channel and is left alone. One UPDATE per
distinct scope, on each backend; run backwards, it restores the former name.
"""

from typing import Any

from django.db import migrations

# consent.transfers.TRANSFER_SCOPE_PREFIX, as it was when this migration was written.
_TRANSFER_PREFIX = "disclosure:"


def _rename(apps: Any, old: str, new: str) -> None:
    event = apps.get_model("consent", "ConsentEvent")
    scopes = (
        event.objects.filter(scope__endswith=f":{old}")
        .exclude(scope__startswith=_TRANSFER_PREFIX)
        .values_list("scope", flat=True)
        .distinct()
    )
    for scope in list(scopes):
        purpose = scope.removesuffix(f":{old}")
        event.objects.filter(scope=scope).update(scope=f"{purpose}:{new}")


def forwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, "post", "letter")


def backwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, "letter", "post")


class Migration(migrations.Migration):

    dependencies = [
        ("consent", "0002_consenttext_alter_consentevent_action_cookiedecision"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
