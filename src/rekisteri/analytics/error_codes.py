"""Machine codes of the analytics app's refusals; every door words them by these."""

from __future__ import annotations

from enum import StrEnum


class AnalyticsCode(StrEnum):
    SURVEY_LINK_INVALID = "survey_link_invalid"
    SURVEY_LINK_EXPIRED = "survey_link_expired"
    SURVEY_CLOSED = "survey_closed"
    SURVEY_ANSWERED = "survey_answered"
    SURVEY_ANSWER_NOT_STORED = "survey_answer_not_stored"
    SURVEY_ANSWER_EMPTY = "survey_answer_empty"
    SURVEY_RATING_INVALID = "survey_rating_invalid"
    SURVEY_TEXT_TOO_LONG = "survey_text_too_long"
    SEGMENT_NO_FILTER = "segment_no_filter"
    SEGMENT_NAME_TAKEN = "segment_name_taken"
    SEGMENT_NOT_FOUND = "segment_not_found"
