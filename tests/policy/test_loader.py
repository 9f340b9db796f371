"""The register description is refused, naming the problem, whenever it contradicts itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from rekisteri.core.errors import PolicyRefusal
from rekisteri.policy.loader import PolicyError, load_policy, parse_policy
from rekisteri.policy.schema import ErasureAction, LegalBasis, Right


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in the policy")


def test_mainioco_policy_states_the_whole_notice() -> None:
    loaded = load_policy(Path("policies/mainioco.toml"))
    policy = loaded.policy

    assert policy.controller.business_id == "2817330-9"
    # §4 lists eleven purposes; the Accounting Act adds one.
    assert len(policy.purposes) == 12
    assert policy.purposes["accounting"].legal_basis == LegalBasis.LEGAL_OBLIGATION
    # §5 lists seventeen kinds of data.
    assert len(policy.categories) == 17
    assert policy.retention["customership"].total_months == 24
    assert policy.categories["feedback"].erasure == ErasureAction.ANONYMISE
    assert policy.categories["services_and_payments"].hold == "accounting_vouchers"
    assert policy.retention["accounting_vouchers"].total_months == 72
    assert set(policy.rights) >= {Right.ACCESS, Right.ERASURE, Right.COMPLAINT}
    assert len(loaded.content_hash) == 64


def test_the_same_content_hashes_the_same_whatever_its_layout(mainioco_text: str) -> None:
    reflowed = "# a comment changes nothing\n\n" + mainioco_text

    assert parse_policy(reflowed).content_hash == parse_policy(mainioco_text).content_hash


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the fixture edit {old!r} no longer matches the policy"
    return text.replace(old, new, 1)


# Each case: an edit that breaks the policy, the key path the refusal must name,
# words the message must contain, and the text of the line it must point at.
BROKEN = [
    pytest.param(
        ("[policy]\n", "[policy]\nowner = 'x'\n"),
        "policy.owner",
        "unknown key",
        "owner = 'x'",
        id="unknown-key",
    ),
    pytest.param(
        (
            'legal_basis = "contract"\n\n[purposes.customer_relationship]',
            "\n[purposes.customer_relationship]",
        ),
        "purposes.identification.legal_basis",
        "required key is missing",
        "[purposes.identification]",
        id="purpose-without-legal-basis",
    ),
    pytest.param(
        (
            'legal_basis = "consent"\ndirect_marketing = true',
            'legal_basis = "goodwill"\ndirect_marketing = true',
        ),
        "purposes.targeting.legal_basis",
        "'consent'",
        'legal_basis = "goodwill"',
        id="unknown-legal-basis",
    ),
    pytest.param(
        (
            'purposes = ["marketing", "targeting"]\nsources = ["marketing"]',
            'purposes = ["marketing", "telemarketing"]\nsources = ["marketing"]',
        ),
        "categories.marketing_deliveries.purposes[1]",
        "unknown purpose 'telemarketing'",
        '"telemarketing"',
        id="category-with-unknown-purpose",
    ),
    pytest.param(
        ('sources = ["customer_service"]\n', 'sources = ["call_centre"]\n'),
        "categories.service_cases.sources[0]",
        "unknown source 'call_centre'",
        '"call_centre"',
        id="category-with-unknown-source",
    ),
    pytest.param(
        ('after = "event_time"', 'after = "last_login"'),
        "retention.web_usage.after",
        "'customership_end'",
        'after = "last_login"',
        id="retention-rule-naming-unknown-event",
    ),
    pytest.param(
        ('business_id = "2817330-9"', 'business_id = "2817330-8"'),
        "controller.business_id",
        "check digit",
        'business_id = "2817330-8"',
        id="business-id-bad-check-digit",
    ),
    pytest.param(
        ('business_id = "2817330-9"', 'business_id = "Mainioco"'),
        "controller.business_id",
        "is not a Finnish business id (Y-tunnus): expected 1234567-8",
        'business_id = "Mainioco"',
        id="business-id-not-a-business-id",
    ),
    pytest.param(
        (
            'legitimate_interest = { fi = "Mainioco Oy:n oikeutettu etu kehittää',
            'note_fi = { fi = "Mainioco Oy:n oikeutettu etu kehittää',
        ),
        "purposes.development.note_fi",
        "unknown key",
        "note_fi = ",
        id="misspelt-key-in-purpose",
    ),
    pytest.param(
        (
            'legitimate_interest = { fi = "Mainioco Oy:n oikeutettu etu tuntea',
            '# legitimate_interest = { fi = "Mainioco Oy:n oikeutettu etu tuntea',
        ),
        "purposes.analytics.legitimate_interest",
        "must state the interest",
        "[purposes.analytics]",
        id="legitimate-interest-not-stated",
    ),
    pytest.param(
        (
            'fields = ["person.birth_year", "person.gender"',
            'fields = ["person.first_name", "person.gender"',
        ),
        "categories.demographics.fields[0]",
        "already declared in category 'contact'",
        'fields = ["person.first_name", "person.gender"',
        id="field-in-two-categories",
    ),
    pytest.param(
        ('law = { fi = "kirjanpitolaki', '# law = { fi = "kirjanpitolaki'),
        "categories.services_and_payments.hold",
        "names no law",
        'hold = "accounting_vouchers"',
        id="legal-hold-without-a-law",
    ),
    pytest.param(
        ("months = 24\n", 'months = "24"\n'),
        "retention.customership.months",
        "valid integer",
        'months = "24"',
        id="period-as-text",
    ),
    pytest.param(
        (
            "direct_marketing = true\nlegitimate_interest",
            'direct_marketing = "yes"\nlegitimate_interest',
        ),
        "purposes.marketing.direct_marketing",
        "valid boolean",
        'direct_marketing = "yes"',
        id="boolean-as-text",
    ),
    pytest.param(
        ("[rights.portability.text]", "[rights.portabilty.text]"),
        "rights.portabilty",
        "'access'",
        "[rights.portabilty.text]",
        id="unknown-right",
    ),
    pytest.param(
        ('fallback = "no_customership"', 'fallback = "prospects"'),
        "retention.customership.fallback",
        "unknown retention rule 'prospects'",
        'fallback = "prospects"',
        id="fallback-to-unknown-rule",
    ),
    pytest.param(
        ('keep_fields = ["payment.amount"', 'keep_fields = ["payment.refund"'),
        "categories.services_and_payments.keep_fields[0]",
        "not one of this category's fields",
        'keep_fields = ["payment.refund"',
        id="legal-hold-keeps-a-field-it-does-not-have",
    ),
    pytest.param(
        ('retention = "web_usage"', 'retention = "web_visits"'),
        "categories.web_usage.retention",
        "unknown retention rule 'web_visits'",
        'retention = "web_visits"',
        id="category-with-unknown-retention-rule",
    ),
    pytest.param(
        ('anonymise = "scrub_text"\n\n[categories.service_cases]', "\n[categories.service_cases]"),
        "categories.feedback.anonymise",
        "erasure = 'anonymise' needs",
        "[categories.feedback]",
        id="anonymise-without-a-mode",
    ),
    pytest.param(
        (
            "# [api_clients.analysis]\n# erasure_review = false",
            '[api_clients.analysis]\nerasure_review = "no"',
        ),
        "api_clients.analysis.erasure_review",
        "boolean",
        'erasure_review = "no"',
        id="erasure-review-not-a-boolean",
    ),
    pytest.param(
        (
            "# [api_clients.analysis]\n# erasure_review = false",
            "[api_clients.analysis]\nskip_review = true",
        ),
        "api_clients.analysis.skip_review",
        "unknown key",
        "skip_review = true",
        id="api-client-unknown-setting",
    ),
    pytest.param(
        ('postal_code = "40100"', 'postal_code = "Jyväskylä"'),
        "controller.postal_code",
        "pattern",
        'postal_code = "Jyväskylä"',
        id="malformed-postal-code",
    ),
]


@pytest.mark.parametrize(("edit", "path", "words", "line_text"), BROKEN)
def test_broken_policy_is_refused_naming_the_key_and_its_line(
    mainioco_text: str, edit: tuple[str, str], path: str, words: str, line_text: str
) -> None:
    broken = _replace(mainioco_text, *edit)
    expected_line = _line_of(broken, line_text)

    with pytest.raises(PolicyError) as refused:
        parse_policy(broken, source="broken.toml")

    message = refused.value.message
    assert f"broken.toml:{expected_line}: {path}: " in message
    assert words in message
    assert isinstance(refused.value, PolicyRefusal)


def test_a_missing_right_is_refused(mainioco_text: str) -> None:
    start = mainioco_text.index("[rights.access.text]")
    end = mainioco_text.index("[rights.rectification.text]")
    broken = mainioco_text[:start] + mainioco_text[end:]

    with pytest.raises(PolicyError) as refused:
        parse_policy(broken, source="broken.toml")

    assert "rights.access: the notice must describe the right 'access'" in refused.value.message


def test_toml_syntax_error_names_its_line(mainioco_text: str) -> None:
    broken = _replace(mainioco_text, 'city = "Jyväskylä"', 'city = "Jyväskylä')

    with pytest.raises(PolicyError) as refused:
        parse_policy(broken, source="broken.toml")

    assert f"broken.toml:{_line_of(broken, 'city = ')}: " in refused.value.message
    assert "not valid TOML" in refused.value.message


def test_every_problem_is_listed_not_only_the_first(mainioco_text: str) -> None:
    broken = _replace(mainioco_text, 'business_id = "2817330-9"', 'business_id = "2817330-8"')
    broken = _replace(broken, 'retention = "web_usage"', 'retention = "web_visits"')

    with pytest.raises(PolicyError) as refused:
        parse_policy(broken, source="broken.toml")

    assert len(refused.value.problems) == 2


def test_a_missing_policy_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as refused:
        load_policy(tmp_path / "nowhere.toml")

    assert "nowhere.toml" in refused.value.message
    assert "cannot read" in refused.value.message


def test_an_integrating_systems_erasures_are_reviewed_unless_the_policy_says_otherwise(
    mainioco_text: str,
) -> None:
    trusting = _replace(
        mainioco_text,
        "# [api_clients.analysis]\n# erasure_review = false",
        "[api_clients.analysis]\nerasure_review = false",
    )

    default, changed = parse_policy(mainioco_text), parse_policy(trusting)

    assert default.policy.api_clients == {}
    assert changed.policy.api_clients["analysis"].erasure_review is False
    # How the register treats a system is no part of the notice: no new notice version.
    assert changed.content_hash == default.content_hash


def test_a_notice_without_the_officers_contact_must_say_none_is_required(
    mainioco_text: str,
) -> None:
    silent = mainioco_text.replace("data_protection_officer_required = false\n", "", 1)

    with pytest.raises(PolicyError) as refused:
        parse_policy(silent)

    [problem] = refused.value.problems
    assert "controller.data_protection_officer" in str(problem)
    assert "Art. 13(1)(b)" in str(problem)


def test_a_notice_that_names_its_officer_passes(mainioco_text: str) -> None:
    named = mainioco_text.replace(
        "data_protection_officer_required = false\n",
        'data_protection_officer = { name = "Tietosuojavastaava", '
        'email = "tietosuoja@mainio.co" }\n',
        1,
    )

    assert parse_policy(named).policy.controller.data_protection_officer is not None
