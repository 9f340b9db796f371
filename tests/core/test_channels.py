"""One vocabulary of channels: every app lists its channels from it, by its names and words."""

from __future__ import annotations

import pytest
from django.utils import translation

from rekisteri.analytics.reports import CHANNEL_WORDS
from rekisteri.consent import marketing
from rekisteri.consent.services import CHANNELS as CONSENT_LEDGER_CHANNELS
from rekisteri.console.words import VALUE_LABELS as CONSOLE_WORDS
from rekisteri.core.channels import (
    CHANNEL_PARTS,
    FORMER_NAMES,
    Channel,
    ConsentChannel,
    ContactChannel,
    MarketingChannel,
    RequestChannel,
    channel_parse,
)
from rekisteri.core.errors import InvalidInput
from rekisteri.register.labels import VALUE_LABELS as REGISTER_WORDS
from rekisteri.register.services import CONTACT_CHANNELS
from rekisteri.rights import models as rights_models


@pytest.mark.parametrize("part", CHANNEL_PARTS, ids=lambda part: part.__name__)
def test_every_part_of_the_vocabulary_names_its_channels_as_the_whole_does(
    part: type[Channel],
) -> None:
    for member in part:
        assert Channel(member.value).label == member.label


def test_every_app_lists_its_channels_from_the_one_vocabulary() -> None:
    assert marketing.MarketingChannel is MarketingChannel
    assert rights_models.RequestChannel is RequestChannel
    assert set(CONSENT_LEDGER_CHANNELS) == set(ConsentChannel.values)
    assert set(CONTACT_CHANNELS) == set(ContactChannel.values)


def test_the_word_tables_say_each_channel_in_the_vocabularys_words() -> None:
    with translation.override("fi"):
        for channel in Channel:
            assert str(REGISTER_WORDS["channel"][channel.value]) == str(channel.label)
            assert str(CONSOLE_WORDS[channel.value]) == str(channel.label)
        for marketed in MarketingChannel:
            assert str(CHANNEL_WORDS[marketed.value]) == str(marketed.label)


def test_no_word_table_keeps_a_former_name() -> None:
    for former in FORMER_NAMES:
        assert former not in REGISTER_WORDS["channel"]
        assert former not in CONSOLE_WORDS
        assert former not in CHANNEL_WORDS
        assert former not in Channel.values


def test_a_former_name_is_read_as_the_one_word_and_anything_else_is_refused() -> None:
    assert channel_parse("post", MarketingChannel) == MarketingChannel.LETTER
    assert channel_parse("letter", MarketingChannel) == MarketingChannel.LETTER
    with pytest.raises(InvalidInput) as refused:
        channel_parse("chat", MarketingChannel)
    assert refused.value.data == {"field": "channel"}
    assert "email, sms, letter, phone" in refused.value.message


def test_an_opt_out_link_sent_with_the_former_name_stops_letters() -> None:
    # given: a link signed before the channels had one vocabulary
    token = marketing.opt_out_token(7, "any_purpose", "post")

    # when / then
    assert marketing.opt_out_read(token).channel == MarketingChannel.LETTER
