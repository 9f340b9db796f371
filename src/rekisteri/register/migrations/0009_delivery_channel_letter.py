"""A delivery by post is stored as "letter", the one vocabulary's name (core.channels).

The API once took "letter" and stored "post"; contacts, requests and the consent
ledger stored "letter". One UPDATE on each backend; run backwards, it restores
the former name.
"""

from typing import Any

from django.db import migrations


def _rename(apps: Any, old: str, new: str) -> None:
    delivery = apps.get_model("register", "Delivery")
    delivery.objects.filter(channel=old).update(channel=new)


def forwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, "post", "letter")


def backwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, "letter", "post")


class Migration(migrations.Migration):

    dependencies = [
        ("register", "0008_identifier_lengths"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
