"""The words of the demo register: names, places and everyday texts, by country.

The controller's country chooses the people's names, streets, cities, phone
numbers and currency; the texts people wrote (feedback, service cases) are in
that country's language. Nothing here is a key of any policy: what the policy
means is read from it in ``plan.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rekisteri.policy.schema import Language

# (city, real postal codes of the city, in their stored form)
City = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Words:
    """Everything the demo writes in one country's language."""

    language: Language
    # ISO 3166 alpha-2 of the country whose people these are.
    country: str
    # Example domains for e-mail addresses and web sites.
    domain: str
    female_names: tuple[str, ...]
    male_names: tuple[str, ...]
    surnames: tuple[str, ...]
    cities: tuple[City, ...]
    streets: tuple[str, ...]
    # The calling code and the mobile prefixes after it, each followed by 7 digits.
    calling_code: str
    mobile_prefixes: tuple[str, ...]
    currency: str
    prices: tuple[Decimal, ...]
    job_titles: tuple[str, ...]
    company_words: tuple[str, ...]
    company_forms: tuple[str, ...]
    pages: tuple[str, ...]
    # (action, detail); the actions are the service's own, the details in the language.
    usage_actions: tuple[tuple[str, str], ...]
    contact_summaries: tuple[str, ...]
    campaigns: tuple[str, ...]
    # (text, rating, theme)
    feedback: tuple[tuple[str, int, str], ...]
    # (subject, description, resolution)
    service_cases: tuple[tuple[str, str, str], ...]
    end_reasons: tuple[str, ...]
    rectification_reasons: tuple[str, ...]
    consented_data: tuple[tuple[str, str], ...]
    # The plans of the company's service, after the company's own name.
    service_tiers: tuple[str, ...]
    content_title: str
    content_body: str
    # A consent text: "{controller}" and "{purpose}" (the purpose's own name).
    consent_text: str
    # The end of the local part, and the "@", of an address not confirmed yet ("new").
    new_address_mark: str


FINNISH = Words(
    language="fi",
    country="FI",
    domain="example.fi",
    female_names=(
        "Aino", "Anna", "Anne", "Elina", "Emilia", "Emma", "Hanna", "Heidi", "Helena",
        "Helmi", "Johanna", "Julia", "Katja", "Kirsi", "Laura", "Leena", "Liisa", "Maria",
        "Marja", "Minna", "Noora", "Olivia", "Päivi", "Riikka", "Sanna", "Satu", "Sofia",
        "Tiina", "Tuula", "Venla",
    ),
    male_names=(
        "Aleksi", "Antti", "Eero", "Eino", "Elias", "Hannu", "Heikki", "Jari", "Jukka",
        "Juha", "Kari", "Lauri", "Leevi", "Markku", "Matti", "Mikko", "Onni", "Pekka",
        "Petri", "Sami", "Timo", "Tuomas", "Ville", "Väinö", "Oskari", "Pertti", "Janne",
        "Jussi", "Risto", "Toni",
    ),
    surnames=(
        "Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
        "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen",
        "Heinonen", "Niemi", "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen",
        "Tuominen", "Rantanen", "Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen",
        "Ahonen", "Hiltunen", "Leinonen", "Hirvonen", "Kallio", "Miettinen", "Pitkänen",
        "Lindholm", "Aaltonen", "Manninen", "Väisänen", "Räsänen", "Leppänen", "Ojala",
        "Peltonen", "Kiiskinen", "Seppälä", "Anttila", "Nurmi", "Koivisto", "Lindqvist",
    ),
    cities=(
        ("Helsinki", ("00100", "00120", "00130", "00140", "00150", "00170", "00180", "00500",
                      "00530")),
        ("Espoo", ("02100", "02150", "02230", "02600")),
        ("Vantaa", ("01300", "01600")),
        ("Tampere", ("33100", "33200", "33500", "33540")),
        ("Turku", ("20100", "20500", "20700")),
        ("Oulu", ("90100", "90500")),
        ("Jyväskylä", ("40100", "40200", "40320")),
        ("Lahti", ("15100", "15140")),
        ("Kuopio", ("70100", "70600")),
        ("Pori", ("28100",)),
        ("Joensuu", ("80100",)),
        ("Lappeenranta", ("53100",)),
        ("Hämeenlinna", ("13100",)),
        ("Vaasa", ("65100",)),
        ("Rovaniemi", ("96100",)),
        ("Seinäjoki", ("60100",)),
        ("Kotka", ("48100",)),
        ("Mikkeli", ("50100",)),
        ("Porvoo", ("06100",)),
        ("Kokkola", ("67100",)),
        ("Hyvinkää", ("05800",)),
        ("Järvenpää", ("04400",)),
        ("Kajaani", ("87100",)),
        ("Rauma", ("26100",)),
    ),
    streets=(
        "Kauppakatu", "Hämeenkatu", "Rautatienkatu", "Koulukatu", "Kirkkokatu", "Puistokatu",
        "Asemakatu", "Teollisuuskatu", "Sepänkatu", "Mannerheimintie", "Aleksanterinkatu",
        "Kalevantie", "Rantatie", "Koivukuja", "Mäntytie", "Kuusitie", "Pihlajatie",
        "Vaahterakuja", "Myllytie", "Urheilukatu", "Torikatu", "Kirkkotie", "Opintie",
        "Satamakatu", "Linnankatu",
    ),
    calling_code="+358",
    mobile_prefixes=("40", "41", "44", "45", "46", "50"),
    currency="EUR",
    prices=tuple(Decimal(p) for p in ("39.00", "79.00", "149.00", "290.00", "590.00")),
    job_titles=(
        "toimitusjohtaja", "myyntipäällikkö", "markkinointipäällikkö", "talouspäällikkö",
        "asiakkuuspäällikkö", "projektipäällikkö", "kehityspäällikkö", "analyytikko",
        "asiantuntija", "ohjelmistokehittäjä", "HR-päällikkö", "viestintäkoordinaattori",
    ),
    company_words=(
        "Consulting", "Rakennus", "Kuljetus", "Tekniikka", "Palvelut", "Design", "Logistiikka",
        "Media", "Sähkö", "Metalli", "Data", "Analytiikka", "Kiinteistöt", "Puutarha",
    ),
    company_forms=("Oy", "Oy", "Ky"),
    pages=(
        "/", "/palvelut/analyysi", "/hinnasto", "/yhteystiedot", "/kirjaudu", "/blogi",
        "/blogi/asiakasdata-haltuun", "/blogi/raportoinnin-viisi-virhetta",
        "/tietosuojaseloste", "/webinaarit", "/referenssit", "/tuki/ohjeet",
    ),
    usage_actions=(
        ("login", ""), ("login", ""), ("dashboard_view", "etusivu"),
        ("report_view", "myynti alueittain"), ("report_view", "asiakaspoistuma"),
        ("report_export", "xlsx"), ("report_export", "pdf"),
        ("query_run", "kohderyhmäanalyysi"), ("dataset_upload", "asiakaskysely.csv"),
        ("settings_change", "ilmoitukset"), ("share_report", "tiimille"), ("logout", ""),
    ),
    contact_summaries=(
        "Kysyi laskutuksesta.", "Tarjous lähetetty.", "Käyttökoulutus sovittu.",
        "Keskusteltu sopimuksen jatkosta.", "Ongelma kirjautumisessa, ohjattu tukeen.",
        "Palaute raporteista välitetty kehitykselle.", "Esitelty uudet ominaisuudet.",
        "Pyysi lisätietoja hinnoittelusta.",
    ),
    campaigns=(
        "Uutiskirje", "Kevätkampanja", "Syyskampanja", "Webinaarikutsu",
        "Asiakastyytyväisyyskysely", "Tuotepäivitys", "Joulutervehdys",
    ),
    feedback=(
        ("Raportit ovat selkeitä ja nopeita.", 5, "raportit"),
        ("Käyttöliittymä on helppokäyttöinen.", 5, "käytettävyys"),
        ("Asiakaspalvelu auttoi nopeasti, kiitos!", 5, "asiakaspalvelu"),
        ("Hyvä palvelu, mutta hinta on korkea.", 4, "hinnoittelu"),
        ("Toivoisin lisää vientimuotoja.", 4, "raportit"),
        ("Kaaviot eivät toimi mobiilissa kunnolla.", 3, "käytettävyys"),
        ("Kirjautuminen on välillä hidasta.", 3, "suorituskyky"),
        ("Hinnoittelu voisi olla selkeämpi.", 2, "hinnoittelu"),
        ("Raportin lataus kaatui useasti.", 1, "suorituskyky"),
    ),
    service_cases=(
        ("Salasana unohtunut", "Asiakas ei pääse kirjautumaan.",
         "Salasanan vaihtolinkki lähetetty."),
        ("Lasku väärällä summalla", "Laskulla kaksi kuukautta.", "Hyvityslasku lähetetty."),
        ("Raportti ei lataudu", "Raportin lataus keskeytyy.", "Välimuisti tyhjennetty, toimii."),
        ("Käyttäjän lisääminen", "Uusi käyttäjä tiimiin.", "Käyttäjä lisätty."),
        ("Tietojen vienti", "Haluaa viedä tiedot Exceliin.", "Ohjeistettu viennissä."),
        ("Sopimuksen irtisanominen", "Kysyy irtisanomisajasta.", "Kerrottu ehdoista."),
    ),
    end_reasons=(
        "Asiakas irtisanoi sopimuksen", "Siirtyi toiseen palveluun",
        "Yritys lopetti toimintansa", "Määräaikainen sopimus päättyi",
    ),
    rectification_reasons=(
        "Asiakas ilmoitti muuttaneensa",
        "Asiakas korjasi puhelinnumeronsa puhelimessa",
        "Palautunut posti: osoite tarkistettu asiakkaalta",
        "Sähköpostiosoitteessa oli kirjoitusvirhe",
    ),
    consented_data=(
        ("kiinnostuksen kohteet", "data-analytiikka, raportointi"),
        ("toimiala", "vähittäiskauppa"),
        ("uutiskirjeen kieli", "suomi"),
        ("yrityksen koko", "10-49 henkilöä"),
    ),
    service_tiers=("Perus", "Pro", "Raportointi", "API"),
    content_title="Analyysi",
    content_body="Muistiinpanoja asiakaskyselyn tuloksista ja jatkotoimista.",
    consent_text="{controller} saa käsitellä tietojani tähän tarkoitukseen: {purpose}.",
    new_address_mark=".uusi@",
)  # fmt: skip

SWEDISH = Words(
    language="sv",
    country="SE",
    domain="example.se",
    female_names=(
        "Alice", "Anna", "Astrid", "Ebba", "Elin", "Elsa", "Emma", "Eva", "Frida", "Hanna",
        "Ida", "Ingrid", "Johanna", "Julia", "Karin", "Kerstin", "Klara", "Lena", "Linnea",
        "Maja", "Malin", "Maria", "Matilda", "Moa", "Saga", "Sara", "Sofia", "Stina",
        "Vera", "Wilma",
    ),
    male_names=(
        "Anders", "Axel", "Björn", "Carl", "Daniel", "Elias", "Erik", "Filip", "Gustav",
        "Hugo", "Isak", "Jakob", "Johan", "Karl", "Lars", "Leo", "Lucas", "Magnus", "Mats",
        "Mikael", "Nils", "Olle", "Oscar", "Per", "Peter", "Sven", "Ture", "Viktor",
        "William", "Åke",
    ),
    surnames=(
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
        "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
        "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson",
        "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lundgren",
        "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg",
        "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson", "Lundin", "Håkansson",
        "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson",
        "Fransson", "Bergqvist",
    ),
    cities=(
        ("Stockholm", ("111 20", "113 30", "114 55", "116 46", "118 20", "112 51")),
        ("Göteborg", ("411 01", "413 04", "414 51", "416 64")),
        ("Malmö", ("211 20", "212 12", "214 21", "217 41")),
        ("Uppsala", ("752 20", "753 10", "754 50")),
        ("Västerås", ("722 11", "724 60")),
        ("Örebro", ("702 10", "703 62")),
        ("Linköping", ("582 22", "583 30")),
        ("Helsingborg", ("252 20", "254 40")),
        ("Jönköping", ("553 20", "554 45")),
        ("Norrköping", ("602 24", "603 60")),
        ("Lund", ("222 21", "224 60")),
        ("Umeå", ("903 26", "907 36")),
        ("Gävle", ("802 50",)),
        ("Borås", ("503 30",)),
        ("Sundsvall", ("852 30",)),
        ("Luleå", ("972 31",)),
        ("Karlstad", ("652 24",)),
        ("Växjö", ("352 30",)),
        ("Visby", ("621 57",)),
        ("Kiruna", ("981 31",)),
    ),
    streets=(
        "Storgatan", "Drottninggatan", "Kungsgatan", "Västra vägen", "Skolgatan", "Kyrkogatan",
        "Parkvägen", "Järnvägsgatan", "Hamngatan", "Strandvägen", "Björkvägen", "Tallvägen",
        "Granvägen", "Lönnvägen", "Ekvägen", "Industrigatan", "Torggatan", "Nygatan",
        "Trädgårdsgatan", "Kvarngatan", "Slottsgatan", "Idrottsvägen", "Sjövägen",
        "Ängsvägen", "Backavägen",
    ),
    calling_code="+46",
    mobile_prefixes=("70", "72", "73", "76", "79"),
    currency="SEK",
    prices=tuple(Decimal(p) for p in ("390.00", "790.00", "1490.00", "2900.00", "5900.00")),
    job_titles=(
        "vd", "försäljningschef", "marknadschef", "ekonomichef", "kundansvarig",
        "projektledare", "utvecklingschef", "analytiker", "specialist", "systemutvecklare",
        "HR-chef", "kommunikatör",
    ),
    company_words=(
        "Konsult", "Bygg", "Transport", "Teknik", "Tjänster", "Design", "Logistik", "Media",
        "El", "Metall", "Data", "Analys", "Fastigheter", "Trädgård",
    ),
    company_forms=("AB",),
    pages=(
        "/", "/tjanster/analys", "/priser", "/kontakt", "/logga-in", "/blogg",
        "/blogg/ta-kontroll-over-kunddata", "/blogg/fem-fel-i-rapporteringen",
        "/integritetspolicy", "/webbinarier", "/referenser", "/hjalp/guider",
    ),
    usage_actions=(
        ("login", ""), ("login", ""), ("dashboard_view", "startsida"),
        ("report_view", "försäljning per region"), ("report_view", "kundbortfall"),
        ("report_export", "xlsx"), ("report_export", "pdf"),
        ("query_run", "målgruppsanalys"), ("dataset_upload", "kundenkat.csv"),
        ("settings_change", "aviseringar"), ("share_report", "till teamet"), ("logout", ""),
    ),
    contact_summaries=(
        "Frågade om faktureringen.", "Offert skickad.", "Utbildning i tjänsten bokad.",
        "Diskuterade förlängning av avtalet.", "Problem med inloggningen, hänvisad till supporten.",
        "Synpunkter på rapporterna vidarebefordrade till utvecklingen.",
        "Visade de nya funktionerna.", "Bad om mer information om priserna.",
    ),
    campaigns=(
        "Nyhetsbrev", "Vårkampanj", "Höstkampanj", "Inbjudan till webbinarium",
        "Kundnöjdhetsenkät", "Produktnyheter", "Julhälsning",
    ),
    feedback=(
        ("Rapporterna är tydliga och snabba.", 5, "rapporter"),
        ("Gränssnittet är lätt att använda.", 5, "användbarhet"),
        ("Kundtjänsten hjälpte mig snabbt, tack!", 5, "kundtjänst"),
        ("Bra tjänst, men priset är högt.", 4, "priser"),
        ("Jag skulle vilja ha fler exportformat.", 4, "rapporter"),
        ("Diagrammen fungerar inte bra i mobilen.", 3, "användbarhet"),
        ("Inloggningen är ibland långsam.", 3, "prestanda"),
        ("Prissättningen kunde vara tydligare.", 2, "priser"),
        ("Nedladdningen av rapporten avbröts flera gånger.", 1, "prestanda"),
    ),
    service_cases=(
        ("Glömt lösenord", "Kunden kan inte logga in.", "Länk för nytt lösenord skickad."),
        ("Fel belopp på fakturan", "Fakturan gällde två månader.", "Kreditfaktura skickad."),
        ("Rapporten laddas inte", "Nedladdningen avbryts.", "Cachen tömd, fungerar nu."),
        ("Lägga till användare", "Ny användare i teamet.", "Användaren tillagd."),
        ("Export av uppgifter", "Vill exportera uppgifterna till Excel.",
         "Visat hur exporten görs."),
        ("Uppsägning av avtalet", "Frågar om uppsägningstiden.", "Berättat om villkoren."),
    ),
    end_reasons=(
        "Kunden sade upp avtalet", "Gick över till en annan tjänst",
        "Företaget upphörde med sin verksamhet", "Det tidsbegränsade avtalet löpte ut",
    ),
    rectification_reasons=(
        "Kunden meddelade att hen har flyttat",
        "Kunden rättade sitt telefonnummer per telefon",
        "Post kom i retur: adressen kontrollerad med kunden",
        "E-postadressen var felstavad",
    ),
    consented_data=(
        ("intressen", "dataanalys, rapportering"),
        ("bransch", "detaljhandel"),
        ("nyhetsbrevets språk", "svenska"),
        ("företagets storlek", "10-49 anställda"),
    ),
    service_tiers=("Bas", "Pro", "Rapporter", "API"),
    content_title="Analys",
    content_body="Anteckningar om resultaten av kundenkäten och vad vi gör härnäst.",
    consent_text="{controller} får behandla mina uppgifter för detta ändamål: {purpose}.",
    new_address_mark=".ny@",
)  # fmt: skip

WORDS: tuple[Words, ...] = (FINNISH, SWEDISH)


def words_for(*, country: str, languages: tuple[Language, ...]) -> Words:
    """The words of the controller's country; else of a language the register offers.

    A country without lists of its own borrows those of a language its register
    speaks, and Finnish ones when it speaks neither (the names still pass its rules:
    the demo writes postal codes and phone numbers only of its own country's kind).
    """
    for words in WORDS:
        if words.country == country:
            return words
    for language in languages:
        for words in WORDS:
            if words.language == language:
                return words
    return FINNISH
