"""The opt-out link every message carries (Art. 21(3); Information Society Code s. 200)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from rekisteri.consent.marketing.rules import MarketingChannel
from rekisteri.core.channels import channel_name
from rekisteri.core.errors import InvalidInput
from rekisteri.policy.selectors import language_default

_OPT_OUT_SALT = "rekisteri.consent.opt-out"
OPT_OUT_PATHS = {"fi": "/markkinointikielto/", "en": "/en/opt-out/", "sv": "/sv/avregistrera/"}


@dataclass(frozen=True)
class OptOut:
    person_id: int
    purpose: str
    channel: MarketingChannel


def opt_out_token(person_id: int, purpose: str, channel: str) -> str:
    """Signed, not secret: it holds ids only, and it works for as long as the key stays."""
    return signing.dumps([person_id, purpose, str(channel)], salt=_OPT_OUT_SALT)


def opt_out_url(person_id: int, purpose: str, channel: str, lang: str = "") -> str:
    """The one-click opt-out, on the page in ``lang`` (by default the register's)."""
    lang = lang if lang in OPT_OUT_PATHS else language_default()
    return (
        settings.REKISTERI_BASE_URL
        + OPT_OUT_PATHS[lang]
        + opt_out_token(person_id, purpose, channel)
    )


def opt_out_read(token: str) -> OptOut:
    try:
        person_id, purpose, channel = signing.loads(token[:300], salt=_OPT_OUT_SALT)
        # A link sent before the channels had one vocabulary may carry a former name.
        return OptOut(int(person_id), str(purpose), MarketingChannel(channel_name(channel)))
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidInput("the opt-out link is not valid", data={"field": "token"}) from None
