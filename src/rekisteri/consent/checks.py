"""The consent app's promises the self-check counts: consent only on listed scopes, no
marketing to objectors or restricted people (Art. 21(3), Art. 18), ended transfers told."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from rekisteri.consent.selectors import (
    consent_events_unlisted_scope,
    deliveries_despite_objection,
    deliveries_while_restricted,
)
from rekisteri.consent.transfers import transfers_untold
from rekisteri.core.selfcheck import Check


def unlisted_scopes() -> list[Check]:
    return [
        Check(
            "consent.scopes",
            gettext_noop("Consent events on a scope the policy does not list for their choice"),
            consent_events_unlisted_scope(),
        )
    ]


def marketing_despite_objection() -> list[Check]:
    return [
        Check(
            "marketing.objected",
            gettext_noop("Marketing deliveries sent after the person objected to marketing"),
            deliveries_despite_objection(),
        )
    ]


def marketing_while_restricted() -> list[Check]:
    return [
        Check(
            "marketing.restricted",
            gettext_noop("Marketing deliveries sent while the person's processing was restricted"),
            deliveries_while_restricted(),
        )
    ]


def ended_transfers_untold() -> list[Check]:
    return [
        Check(
            "transfers.untold",
            gettext_noop("Ended transfers whose recipient has not been told"),
            transfers_untold(),
        )
    ]
