"""The purpose gate: the one way any app reads a person's data.

Every read of personal data, by any door or app, enters here: one person
(``person_access`` and its kin: a staff page, an API read, an act on a person)
or a set of people (``people_gate``: search, audiences, surveys, reports,
segments). Both share one rule of who may be read for a purpose
(``people_readable``): the purpose must be the policy's and the actor's; a
forgotten person is no one; a restricted person (Art. 18) is left out, for
everyone but the data protection officer looking a person up; a person who
objected to the purpose, or did not consent to a purpose that rests on
consent (Art. 21, 7(3)), is left out. Every read and every refusal is audited.

Only the register app queries its personal tables; a test
(``tests/register/test_one_gate.py``) holds every other app to this module.
"""

from rekisteri.register.gate.people import (
    PeopleRead,
    ReadKind,
    people_decide,
    people_gate,
    people_readable,
)
from rekisteri.register.gate.person import (
    PersonIdentifier,
    person_access,
    person_access_by_email,
    person_access_by_identifier,
    person_access_for_act,
    person_access_own,
    person_id_by,
    person_living,
    person_open_for,
)
from rekisteri.register.gate.rules import (
    Access,
    PurposeExclusion,
    ReadRefusal,
    people_closed_for,
    people_refusals_record,
    person_not_found,
    person_refusal,
    purpose_exclusion,
    purpose_require,
)

__all__ = [
    "Access",
    "PeopleRead",
    "PersonIdentifier",
    "PurposeExclusion",
    "ReadKind",
    "ReadRefusal",
    "people_closed_for",
    "people_decide",
    "people_gate",
    "people_readable",
    "people_refusals_record",
    "person_access",
    "person_access_by_email",
    "person_access_by_identifier",
    "person_access_for_act",
    "person_access_own",
    "person_id_by",
    "person_living",
    "person_not_found",
    "person_open_for",
    "person_refusal",
    "purpose_exclusion",
    "purpose_require",
]
