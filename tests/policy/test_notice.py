"""The notice rendered from the policy carries every promise of Mainioco's notice."""

from __future__ import annotations

import html
import re

import pytest

from rekisteri.policy.loader import parse_policy
from rekisteri.policy.notice import render_notice
from rekisteri.policy.schema import Policy

# Facts of Mainioco's own notice (its 2019 text), each of which the Finnish
# rendering must state. Taken from the notice, not from our policy file.
CONTROLLER_FACTS = [
    "Mainioco Oy",
    "2817330-9",
    "Kauppakatu 39, 40100 Jyväskylä",
    "asko@mainio.co",
    "Mainioco Oy:n asiakasrekisteri",
]
PURPOSES = [
    "asiakkaan tunnistaminen ja käyttäjähallinta",
    "asiakkaan palveleminen, asiakassuhteen hoitaminen ja hallinta",
    "toiminnan, palveluiden ja maksamisen toteuttaminen ja laadun varmistaminen",
    "asiakaspalvelun, asiakassuhteen ja liiketoiminnan kehittäminen",
    "asiakkuuksien analysointi, ryhmittely, raportointi ja tilastointi",
    "asiakaspalautteen ja asiakkaan tyytyväisyystietojen kerääminen ja käsittely",
    "viestinnän ja markkinoinnin toteuttaminen ja seuranta",
    "viestinnän, markkinoinnin ja palveluiden kohdentaminen, personointi sekä kampanja-, "
    "kontakti- ja asiointihistorian hallinta",
    "mielipide- ja markkinatutkimukset",
    "väärinkäytösten ja ongelmatilanteiden ehkäisy ja selvittäminen",
    "Mainioco Oy:n Mainio analyysipalvelun sopimusehtojen mukaisesti",
]
CATEGORIES = [
    "yhteystiedot, kuten etu- ja sukunimi, osoitetiedot, puhelinnumero, sähköpostiosoite",
    "rekisteröitymistiedot, kuten käyttäjätunnus, salasana ja muu mahdollinen yksilöivä "
    "tunnus/tunniste",
    "muut asiakkaan demografiatiedot, kuten ikä, sukupuoli ja työnkuva",
    "asiakkaan antamia kieltoja, rajoituksia, suostumuksia ja muita valintoja palvelun "
    "käyttöön liittyen",
    "asiakkaan itse toimittamia tietoja käyttäjästä itsestään tai edustamastaan "
    "organisaatiosta, kuten kuva/logo, esittelyvideo ja www-sivu",
    "asiakkaan muu tuottama tai linkittämä sisältö",
    "asiakkaan tunnistamis- ja varmentamispalveluiden käyttöön liittyviä tarpeellisia tietoja",
    "asiakkuuden alkamis- ja päättymisajankohta",
    "asiakkaan palvelun käyttö- ja kontaktihistoria",
    "asiakkaan laskutukseen tai maksukortteihin liittyvät tunnisteet ja numerot",
    "asiakkaan käyttämät palvelut maksutietoineen",
    "asiakkaaseen yhdistettävissä oleva verkkosivujen käytöstä kerättävä tieto, kuten "
    "IP-osoite tai evästetiedot",
    "asiakkaaseen kohdistetun markkinoinnin ja viestinnän toteutustiedot",
    "asiakkaan itse tuottama sisältö kuten asiakaspalaute",
    "asiakaspalvelutapahtumien tiedot",
    "tiedon käsittelyyn liittyviä tietoja, kuten tallennuspäivämäärä ja tietolähde",
    "mahdolliset muut asiakkaan suostumuksella kerätyt ja tallennetut tiedot",
]
RETENTION = [
    "asiakkuuden keston ajan ja 24 kuukautta asiakkuuden päättymisestä",
    "poistetaan automaattisesti",
    "tieteellistä tai tilastotarkoitusta varten anonymisoidusti, ilman kytköstä henkilötietoihin",
]
SOURCES = [
    "Mainio analyysipalveluun rekisteröitymisen yhteydessä",
    "asiakaspalvelun ja markkinointiviestinnän toteutuksen yhteydessä",
    "evästeet tai muut vastaavat tekniikat",
    "Mainioco Oy:n sidosryhmät",
    "ulkopuoliset palveluntuottajat",
    "hakemistopalveluyritykset",
    "julkiset rekisterit",
    "muut asianmukaiset lähteet",
]
DISCLOSURES = [
    "Henkilötietoja ei luovuteta Mainioco Oy:n ja Mainioco Oy:n lukuun toimivien",
    "Viranomaisille tietoja luovutetaan lain edellyttämissä tapauksissa",
    "Euroopan unionin tai Euroopan talousalueen ulkopuolelle",
]
SECURITY = [
    "Henkilötiedot säilytetään luottamuksellisina.",
    "Manuaalista aineistoa ei ole.",
    "Kullakin käyttäjällä on oma käyttäjätunnus ja salasana järjestelmään.",
    "palomuurin, salasanoin ja muilla teknisillä turvakeinoilla suojattuja",
]
COOKIES = ["Rekisteröity voi halutessaan kieltää evästeiden vastaanoton"]
RIGHTS = [
    "Tietojen tarkastusoikeus",
    "Rekisteröidyllä on oikeus tarkistaa, mitä häntä koskevia tietoja",
    "Oikaisuoikeus",
    "Rekisteröidyllä on oikeus korjata häntä koskeva virheellinen tieto",
    "Kielto-oikeus",
    "suoramarkkinointiin ja -myyntiin",
    "Poisto-oikeus",
    "Rekisteröidyllä on oikeus lopettaa asiakkuus",
    "Oikeus tulla unohdetuksi",
    "poistetaan Mainioco Oy:n asiakasrekisteristä välittömästi ja pysyvästi",
    "Oikeus siirtää tiedot järjestelmästä toiseen",
    "yleisesti käytössä olevassa siirtomuodossa",
    "Oikeus rajoittaa tietojen käsittelyä",
    "Oikeus tehdä valitus valvontaviranomaiselle",
]
COMPLAINT_ROUTE = [
    "Suomessa on tietosuojavaltuutettu",
    "Tietosuojavaltuutetun toimisto",
    "tietosuoja@om.fi",
]
CHANGE_CLAUSE = ["pidättää siksi oikeuden muuttaa tätä tietosuojaselostetta"]

ALL_FACTS = (
    CONTROLLER_FACTS
    + PURPOSES
    + CATEGORIES
    + RETENTION
    + SOURCES
    + DISCLOSURES
    + SECURITY
    + COOKIES
    + RIGHTS
    + COMPLAINT_ROUTE
    + CHANGE_CLAUSE
)


@pytest.fixture(scope="module")
def policy(mainioco_text: str) -> Policy:
    return parse_policy(mainioco_text).policy


def _text_of(rendered: str) -> str:
    """What a reader sees: tags dropped, entities decoded, white space folded."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", rendered)))


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_finnish_notice_states_every_fact_of_mainiocos_notice(policy: Policy, fmt: str) -> None:
    seen = _text_of(render_notice(policy, lang="fi", fmt=fmt))  # type: ignore[arg-type]

    missing = [fact for fact in ALL_FACTS if fact not in seen]

    assert missing == []


def test_finnish_notice_has_the_twelve_sections_in_order(policy: Policy) -> None:
    rendered = render_notice(policy, lang="fi", fmt="md")

    headings = re.findall(r"^## (\d+)\. (.+)$", rendered, flags=re.MULTILINE)

    assert [int(number) for number, _ in headings] == list(range(1, 13))
    assert headings[0][1] == "Rekisterinpitäjä"
    assert headings[5][1] == "Tietojen säilytysaika"
    assert headings[10][1] == "Rekisteröidyn oikeudet"


def test_notice_adds_what_the_law_requires_and_the_2019_text_lacked(policy: Policy) -> None:
    seen = _text_of(render_notice(policy, lang="fi", fmt="md"))

    assert "kirjanpitolaki (1336/1997) 2 luku 10 §" in seen
    assert "6 vuotta sen vuoden päättymisestä, jonka aikana niiden tilikausi päättyi" in seen
    assert "oikeusperuste: oikeutettu etu" in seen
    assert "Oikeus peruuttaa suostumus" in seen


def test_english_notice_is_a_translation_not_a_copy(policy: Policy) -> None:
    english = _text_of(render_notice(policy, lang="en", fmt="html"))

    assert "Privacy notice: Mainioco Oy customer register" in english
    assert "1. Controller" in english
    assert "business ID: 2817330-9" in english
    assert (
        "for the duration of the customership and 24 months after the customership ends" in english
    )
    assert "Right to be forgotten" in english
    assert "Data Protection Ombudsman" in english
    leaked = [fact for fact in PURPOSES + CATEGORIES + RIGHTS + SECURITY if fact in english]
    assert leaked == []


def test_retention_in_the_notice_follows_the_policy(mainioco_text: str) -> None:
    changed = parse_policy(mainioco_text.replace("months = 24\n", "months = 36\n", 1)).policy

    seen = _text_of(render_notice(changed, lang="fi", fmt="md"))

    assert "asiakkuuden keston ajan ja 36 kuukautta asiakkuuden päättymisestä" in seen
    assert "24 kuukautta" not in seen


def test_html_document_escapes_what_the_policy_says(mainioco_text: str) -> None:
    hostile = mainioco_text.replace(
        'fi = "Manuaalista aineistoa ei ole."', 'fi = "<script>alert(1)</script>"', 1
    )

    rendered = render_notice(parse_policy(hostile).policy, lang="fi", fmt="html")

    assert "<script>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
