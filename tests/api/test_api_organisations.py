"""Organisation logos: the type is sniffed from the bytes, and size is limited."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rekisteri.register.models import Organisation
from tests import policy_keys as keys
from tests.api.conftest import AINO, Api
from tests.factories import country
from tests.images import PNG
from tests.rights.conftest import BUSINESS_IDS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _logos_collected(request: pytest.FixtureRequest) -> None:
    """A description that collects logos: Norrsken's collects none (it refuses them,
    tests/register/test_not_collected.py), and these tests are about the bytes."""
    if not keys.collects("organisation.logo"):
        request.getfixturevalue("in_finland")


@pytest.fixture
def organisation_id(api: Api) -> int:
    business_id = BUSINESS_IDS.get(country())
    body = {**AINO, "organisation": {"name": "Virtanen Oy", "business_id": business_id}}
    person_id = api.call("post", "/people", body).json()["id"]
    person = api.call("get", f"/people/{person_id}?purpose={keys.relationship_purpose()}").json()
    return int(person["organisations"][0]["id"])


def _upload(api: Api, organisation_id: int, name: str, content: bytes) -> object:
    client: Client = api.client
    return client.post(
        f"/api/organisations/{organisation_id}/logo",
        data={"file": SimpleUploadedFile(name, content)},
        headers=api.headers,
    )


def test_a_png_logo_is_stored_under_a_random_name(api: Api, organisation_id: int) -> None:
    response = _upload(api, organisation_id, "aino-virtanen-passport.png", PNG)

    assert response.status_code == 200  # type: ignore[attr-defined]
    logo = Organisation.objects.get(pk=organisation_id).logo
    assert logo.name.endswith(".png")
    assert "aino" not in logo.name
    assert logo.read() == PNG


def test_a_script_named_like_an_image_is_refused(api: Api, organisation_id: int) -> None:
    response = _upload(api, organisation_id, "logo.png", b"<svg onload=alert(1)></svg>")

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert response.json()["message"] == "logo: is not a PNG, JPEG, GIF or WebP image"  # type: ignore[attr-defined]
    assert not Organisation.objects.get(pk=organisation_id).logo


def test_an_image_signature_glued_to_a_script_is_refused(api: Api, organisation_id: int) -> None:
    response = _upload(api, organisation_id, "logo.png", PNG[:8] + b"<html><script>x</script>")

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert not Organisation.objects.get(pk=organisation_id).logo


def test_an_oversized_upload_gets_a_clear_413(api: Api, organisation_id: int) -> None:
    response = _upload(api, organisation_id, "big.png", PNG + b"\x00" * (3 * 1024 * 1024))

    assert response.status_code == 413  # type: ignore[attr-defined]
    assert "larger than" in response.json()["message"]  # type: ignore[attr-defined]
    assert not Organisation.objects.get(pk=organisation_id).logo
