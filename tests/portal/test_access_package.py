"""The access package's HTML is a document a person can read and print, in their language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from rekisteri.core.jobs import jobs_run_queued
from tests import policy_keys as keys
from tests.portal.test_what_people_read import _visible
from tests.rights.conftest import Subject

MY = {"fi": "/oma/", "en": "/en/my/"}
REQUEST = {"fi": "/oma/pyynto", "en": "/en/my/request"}
# What Art. 15 says the person is told, as the policy words it, per language.
EXPECTED = {
    "fi": (
        "Mainioco Oy",
        "Y-tunnus 2817330-9",
        "Yhteystiedot, kuten etu- ja sukunimi",
        "Miksi käsittelemme niitä",
        "peruste: sopimus",
        "Mistä ne on saatu",
        "Asiakas itse",
        "Säilytetään asiakkuuden keston ajan ja 24 kuukautta asiakkuuden päättymisestä.",
        "Se osa, jonka laki velvoittaa säilyttämään: 31.12.2031 asti.",
        "kirjanpitolaki (1336/1997)",
        "Mainioco Oy:n lukuun toimivat ja palvelukokonaisuuden tuottamiseen osallistuvat",
        "Oikeus tulla unohdetuksi",
        "Tietosuojavaltuutetun toimisto",
        "Puhelinnumero +358401234567",
        "Eräpäivä 15.3.2025",
    ),
    "en": (
        "Mainioco Oy",
        "Business ID 2817330-9",
        "Contact details, such as first name and surname",
        "Why we hold them",
        "basis: contract",
        "Where they came from",
        "The customer themself",
        "Kept for the duration of the customership and 24 months after the customership ends.",
        "The part the law requires us to keep: until 31 Dec 2031.",
        "Accounting Act (1336/1997)",
        "Third parties acting on Mainioco Oy's behalf",
        "Right to be forgotten",
        "Office of the Data Protection Ombudsman",
        "Phone number +358401234567",
        "Due date 15 Mar 2025",
    ),
}


@pytest.mark.parametrize("lang", ["fi", "en"])
@time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC), tick=True)
def test_the_access_document_says_what_why_on_what_basis_from_where_how_long_and_to_whom(
    aino: Subject, aino_client: Client, lang: str
) -> None:
    # Given Aino's access request, answered by the worker
    aino_client.post(REQUEST[lang], {"kind": "access"})
    jobs_run_queued()
    [href] = set(
        re.findall(r'href="([^"]+/access\.html)"', aino_client.get(MY[lang]).content.decode())
    )

    # When she opens the document she downloaded
    markup = aino_client.get(href).content.decode()
    text = _visible(markup)

    # Then it reads as a document in her language, with everything Art. 15 names
    assert f'<html lang="{lang}">' in markup
    missing = [line for line in EXPECTED[lang] if line not in text]
    assert missing == []
    # and its data are in words, not the register's column names or raw values
    for raw in ("first_name", "billing_name", "stored_at", keys.service_source(), "+00:00"):
        assert raw not in text
