"""Writes to the register, one module per subject. Every write names its source and is
validated first; each recorded event, content or billing row of a person goes in
through one helper, ``writing.person_row_add``.

The names below are the package's public face: callers import them from here
(``from rekisteri.register import services``), never from a module inside.
"""

from __future__ import annotations

from rekisteri.register.services.billing import (
    billing_account_set,
    invoice_record,
    payment_card_add,
    payment_record,
)
from rekisteri.register.services.contact import (
    CONTACT_DETAILS,
    CONTACT_FIELDS,
    contact_collected_require,
    contact_details_collected,
    contact_purpose_require,
    contact_write_purpose,
    contact_write_purposes,
    person_contact_update,
)
from rekisteri.register.services.customerships import (
    customership_end,
    customership_start,
    service_subscription_start,
)
from rekisteri.register.services.email_change import (
    EMAIL_CHANGE_JOB,
    EMAIL_CONFIRM_DAYS,
    EMAIL_UNDO_DAYS,
    email_change_confirm,
    email_change_undo,
    email_changes_settle,
)
from rekisteri.register.services.events import (
    CONTACT_CHANNELS,
    VERIFICATION_RESULTS,
    consented_datum_add,
    contact_event_record,
    feedback_record,
    identity_verification_record,
    service_case_record,
    usage_event_record,
    user_content_add,
    web_visit_record,
)
from rekisteri.register.services.organisations import (
    LOGO_SUFFIX,
    OrganisationIn,
    organisation_logo_set,
)
from rekisteri.register.services.people import (
    AddressIn,
    PersonIn,
    address_clean,
    person_clean,
    person_fields_written,
    person_register,
)
from rekisteri.register.services.rectification import (
    person_rectify,
)
from rekisteri.register.services.restriction import (
    person_restrict,
    person_restriction_lift,
)
from rekisteri.register.services.writing import (
    collected_require,
    model_fields_named,
    people_lock,
    person_lock,
    person_row_add,
    source_from_subject,
    source_require,
)

__all__ = [
    "CONTACT_CHANNELS",
    "CONTACT_DETAILS",
    "CONTACT_FIELDS",
    "EMAIL_CHANGE_JOB",
    "EMAIL_CONFIRM_DAYS",
    "EMAIL_UNDO_DAYS",
    "LOGO_SUFFIX",
    "VERIFICATION_RESULTS",
    "AddressIn",
    "OrganisationIn",
    "PersonIn",
    "address_clean",
    "billing_account_set",
    "collected_require",
    "consented_datum_add",
    "contact_collected_require",
    "contact_details_collected",
    "contact_event_record",
    "contact_purpose_require",
    "contact_write_purpose",
    "contact_write_purposes",
    "customership_end",
    "customership_start",
    "email_change_confirm",
    "email_change_undo",
    "email_changes_settle",
    "feedback_record",
    "identity_verification_record",
    "invoice_record",
    "model_fields_named",
    "organisation_logo_set",
    "payment_card_add",
    "payment_record",
    "people_lock",
    "person_clean",
    "person_contact_update",
    "person_fields_written",
    "person_lock",
    "person_rectify",
    "person_register",
    "person_restrict",
    "person_restriction_lift",
    "person_row_add",
    "service_case_record",
    "service_subscription_start",
    "source_from_subject",
    "source_require",
    "usage_event_record",
    "user_content_add",
    "web_visit_record",
]
