"""Which consent scopes the policy lists: the one rule for a new choice and a stored one.

A scope is a purpose of the policy ("<purpose>"), a direct-marketing purpose and a
channel ("<purpose>:<channel>"), or a recipient that receives data only with
consent ("disclosure:<recipient>"). The action must make sense for the purpose's
legal basis. The rule reads no rows, so that ``rekisteri check`` can apply it to
each distinct (scope, action) of the ledger instead of to each event.
"""

from __future__ import annotations

from rekisteri.consent.models import ConsentAction
from rekisteri.consent.transfers import TRANSFER_SCOPE_PREFIX
from rekisteri.core.channels import MarketingChannel, channel_name
from rekisteri.policy.schema import LegalBasis, Policy


def scope_name(scope: str) -> str:
    """``scope`` with its channel as the one vocabulary names it: a client may still send
    a channel by a former name ("<purpose>:post"), which is stored by today's."""
    if scope.startswith(TRANSFER_SCOPE_PREFIX):
        return scope
    purpose, colon, channel = scope.partition(":")
    return f"{purpose}:{channel_name(channel)}" if colon else scope


def scope_problem(policy: Policy, scope: str, action: ConsentAction | str | None) -> str | None:
    """Why the policy does not list ``scope`` for ``action``, or None when it does.

    The reason names policy keys only (never what else the scope held)."""
    if scope.startswith(TRANSFER_SCOPE_PREFIX):
        recipient = policy.recipients.get(scope.removeprefix(TRANSFER_SCOPE_PREFIX))
        if recipient is None or recipient.legal_basis != LegalBasis.CONSENT:
            return "the policy lists no recipient that receives data with consent by this name"
        if action not in (None, ConsentAction.GRANTED, ConsentAction.WITHDRAWN):
            return "a transfer is consented to or the consent withdrawn"
        return None
    purpose_key, colon, channel = scope.partition(":")
    purpose = policy.purposes.get(purpose_key)
    if purpose is None:
        return f"unknown purpose; the policy lists {', '.join(policy.purposes)}"
    if colon and (channel not in set(MarketingChannel) or not purpose.direct_marketing):
        return "a channel goes only after a direct-marketing purpose, and is one of " + ", ".join(
            MarketingChannel
        )
    if action in (ConsentAction.GRANTED, ConsentAction.WITHDRAWN):
        # Consent means something only where processing rests on it, or for marketing.
        fits = purpose.legal_basis == LegalBasis.CONSENT or purpose.direct_marketing
    elif action in (ConsentAction.OBJECTED, ConsentAction.LIFTED):
        # Art. 21: against legitimate interest, and always against direct marketing.
        fits = purpose.legal_basis == LegalBasis.LEGITIMATE_INTEREST or purpose.direct_marketing
    else:
        fits = action is None
    if not fits:
        return (
            f"{action} does not apply to {purpose_key!r} (its legal basis is {purpose.legal_basis})"
        )
    return None
