"""What using a consequential right does, in plain words, before and after it is used.

Ending the customership, objecting, restricting and being forgotten change what
happens to the person's data; the portal says what and when before it asks
once, and afterwards what happened and what is still kept and why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rekisteri.core import clock
from rekisteri.policy.labels import period_label
from rekisteri.policy.schema import Language, LegalBasis, RetentionEvent
from rekisteri.policy.selectors import policy_get
from rekisteri.register.labels import when_display
from rekisteri.retention.outlook import Hold, Outlook, person_retention_outlook
from rekisteri.rights.deadlines import due_date_for
from rekisteri.rights.models import RightKind

# The rights whose use the portal confirms once before it acts.
CONFIRMED_KINDS = frozenset(
    {RightKind.DELETION, RightKind.OBJECTION, RightKind.RESTRICTION, RightKind.ERASURE}
)


# What a hold keeps of a forgotten person serves the law alone.
_NOTHING_ELSE = gettext_lazy("Until then they are used for nothing else.")


def _hold_sentence(hold: Hold, lang: Language) -> str:
    rule = policy_get().retention[hold.rule]
    return _(
        "%(what)s are kept until %(day)s, because the %(law)s requires it, and are then deleted."
    ) % {
        "what": rule.name(lang)[:1].upper() + rule.name(lang)[1:],
        "day": when_display(hold.until),
        "law": rule.law(lang) if rule.law else "",
    }


def _erased_sentence(outlook: Outlook, *, future: bool) -> str:
    if outlook.erased_on is None or not outlook.rule:
        return ""
    rule = policy_get().retention[outlook.rule]
    values = {"day": when_display(outlook.erased_on), "period": period_label(rule)}
    if rule.after == RetentionEvent.CUSTOMERSHIP_END:
        if future:
            return (
                _(
                    "The rest of your data will be deleted on %(day)s, %(period)s after the "
                    "customership ended."
                )
                % values
            )
        return (
            _("Your data will be deleted on %(day)s, %(period)s after the customership ended.")
            % values
        )
    return _("Your data will be deleted on %(day)s, %(period)s after they were stored.") % values


def _objected_purposes(lang: Language) -> str:
    purposes = policy_get().purposes.values()
    return "; ".join(
        p.name(lang) for p in purposes if p.legal_basis == LegalBasis.LEGITIMATE_INTEREST
    )


def before(kind: RightKind, *, person_id: int, lang: Language) -> list[str]:
    """What will happen, and when, if the person goes on."""
    today = clock.today()
    if kind == RightKind.DELETION:
        outlook = person_retention_outlook(person_id=person_id, ending_on=today)
        lines = [
            _(
                "Your customership ends today, %(day)s. We stop sending you direct marketing "
                "at once. You can still sign in and see your data."
            )
            % {"day": when_display(today)}
            if outlook.customer
            else _(
                "You have no customership in force. We stop sending you direct marketing at "
                "once. You can still sign in and see your data."
            ),
            _erased_sentence(outlook, future=True),
            *(_hold_sentence(h, lang) for h in outlook.holds),
        ]
    elif kind == RightKind.ERASURE:
        outlook = person_retention_outlook(person_id=person_id)
        lines = [
            _(
                "Your data are erased at once and for good. Those who have received your data "
                "are told. You can no longer sign in afterwards, and this cannot be undone."
            ),
            *(_hold_sentence(h, lang) for h in outlook.holds),
            str(_NOTHING_ELSE) if outlook.holds else "",
        ]
    elif kind == RightKind.RESTRICTION:
        lines = [
            _(
                "From now on your data are only stored: they are not used for anything else, "
                "not even for marketing or for serving you, until the restriction is lifted. "
                "Nothing is deleted."
            ),
            _("We tell you before the restriction is lifted."),
        ]
    elif kind == RightKind.OBJECTION:
        lines = [
            _(
                "You object to the processing of your data for these purposes, which rest on "
                "our legitimate interest: %(purposes)s."
            )
            % {"purposes": _objected_purposes(lang)},
            _(
                "Until our data protection officer has weighed your grounds, your data are only "
                "stored and not otherwise used. You get an answer by %(day)s."
            )
            % {"day": when_display(due_date_for(today))},
        ]
    else:
        lines = []
    return [line for line in lines if line]


def after(kind: RightKind, *, person_id: int, lang: Language, request: Any = None) -> list[str]:
    """What happened, and what is still kept and why."""
    if kind == RightKind.DELETION:
        outlook = person_retention_outlook(person_id=person_id)
        lines = [
            _("Your customership has ended, and we no longer send you direct marketing."),
            _erased_sentence(outlook, future=False),
            *(_hold_sentence(h, lang) for h in outlook.holds),
        ]
    elif kind == RightKind.RESTRICTION:
        lines = [
            _(
                "The processing of your data is restricted: they are only stored, and used for "
                "nothing else until the restriction is lifted. We tell you before that."
            )
        ]
    elif kind == RightKind.OBJECTION:
        due = getattr(request, "due_on", None) or due_date_for(clock.today())
        lines = [
            _(
                "Your objection has been received. Until it is decided, your data are only "
                "stored. You get an answer by %(day)s."
            )
            % {"day": when_display(due)}
        ]
    else:
        lines = []
    return [line for line in lines if line]


def standing(*, person_id: int, lang: Language) -> list[str]:
    """When the person's data go, as things stand: the date once the customership has
    ended, and what a legal hold keeps until when."""
    outlook = person_retention_outlook(person_id=person_id)
    if outlook.erased_on is None:
        # A customer: the notice's periods say it; there is no day to name yet.
        return []
    lines = [
        _erased_sentence(outlook, future=False),
        *(_hold_sentence(h, lang) for h in outlook.holds),
    ]
    return [line for line in lines if line]


def kept_after_erasure(certificate: dict[str, Any], lang: Language) -> list[str]:
    """What a legal hold keeps of a forgotten person, from the erasure's certificate."""
    policy = policy_get()
    holds: dict[str, Hold] = {}
    for kept in certificate.get("kept", []):
        rule, until = kept.get("hold"), kept.get("until")
        if rule not in policy.retention or not until:
            continue
        hold = Hold(
            category=str(kept.get("category", "")),
            rule=rule,
            until=dt.date.fromisoformat(str(until)[:10]),
        )
        if rule not in holds or hold.until > holds[rule].until:
            holds[rule] = hold
    lines = [_hold_sentence(h, lang) for h in holds.values()]
    return [*lines, str(_NOTHING_ELSE)] if lines else []
