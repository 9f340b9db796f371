"""The one vocabulary of channels: every way the controller and a person reach each other.

Each app uses a part of it — direct marketing reaches people by some channels,
contacts happen by others, consents and rights requests arrive by others — but
a channel has one name and one label wherever it appears, stored or shown. The
parts are enums of their own (so that a field or an argument takes only what
fits it), each member spelled from ``Channel``; a test holds them to it.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from rekisteri.core.errors import InvalidInput


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("text message")
    LETTER = "letter", _("letter")
    PHONE = "phone", _("phone call")
    CHAT = "chat", _("chat")
    MEETING = "meeting", _("meeting")
    PORTAL = "portal", _("self-service portal")
    API = "api", _("integrating system")
    FORM = "form", _("web form")
    CUSTOMER_SERVICE = "customer_service", _("customer service")


class MarketingChannel(models.TextChoices):
    """Channels direct marketing reaches people by (a consent scope's "<purpose>:<channel>")."""

    EMAIL = Channel.EMAIL.value, Channel.EMAIL.label
    SMS = Channel.SMS.value, Channel.SMS.label
    LETTER = Channel.LETTER.value, Channel.LETTER.label
    PHONE = Channel.PHONE.value, Channel.PHONE.label


class ContactChannel(models.TextChoices):
    """Channels a contact between the person and the company happens by."""

    EMAIL = Channel.EMAIL.value, Channel.EMAIL.label
    PHONE = Channel.PHONE.value, Channel.PHONE.label
    LETTER = Channel.LETTER.value, Channel.LETTER.label
    CHAT = Channel.CHAT.value, Channel.CHAT.label
    MEETING = Channel.MEETING.value, Channel.MEETING.label
    SMS = Channel.SMS.value, Channel.SMS.label


class ConsentChannel(models.TextChoices):
    """Channels a person's consent, withdrawal or objection arrives by."""

    PORTAL = Channel.PORTAL.value, Channel.PORTAL.label
    API = Channel.API.value, Channel.API.label
    FORM = Channel.FORM.value, Channel.FORM.label
    CUSTOMER_SERVICE = Channel.CUSTOMER_SERVICE.value, Channel.CUSTOMER_SERVICE.label
    LETTER = Channel.LETTER.value, Channel.LETTER.label
    EMAIL = Channel.EMAIL.value, Channel.EMAIL.label


class RequestChannel(models.TextChoices):
    """Channels a data subject's request arrives by."""

    PORTAL = Channel.PORTAL.value, Channel.PORTAL.label
    API = Channel.API.value, Channel.API.label
    LETTER = Channel.LETTER.value, Channel.LETTER.label
    EMAIL = Channel.EMAIL.value, Channel.EMAIL.label
    CUSTOMER_SERVICE = Channel.CUSTOMER_SERVICE.value, Channel.CUSTOMER_SERVICE.label


# Every part of the vocabulary, for the test that holds them to ``Channel``.
CHANNEL_PARTS: tuple[type[models.TextChoices], ...] = (
    MarketingChannel,
    ContactChannel,
    ConsentChannel,
    RequestChannel,
)

_C = TypeVar("_C", bound=models.TextChoices)

# Names clients and stored links once used for a channel. Read as the one name, so that
# an old client and an opt-out link sent before the names were unified keep working.
FORMER_NAMES = {"post": Channel.LETTER.value}


def channel_name(word: str) -> str:
    """``word`` as the one vocabulary names it: a former name is read as today's."""
    return FORMER_NAMES.get(word, word)


def channel_parse(word: str, part: type[_C], *, field: str = "channel") -> _C:
    """The channel of ``part`` that ``word`` names (a former name too); refuse any other."""
    try:
        return part(channel_name(word))
    except ValueError:
        raise InvalidInput(
            f"{field}: must be one of {', '.join(part.values)}", data={"field": field}
        ) from None
