"""When a data subject's request must be answered.

GDPR Art. 12(3): without undue delay and at the latest within one month of
receipt; extendable once by up to two further months. Periods are counted as
Regulation 1182/71 counts them: a period in months ends on the same date of
the later month; when that month has no such date, on its last day; when that
day is a Saturday, a Sunday or a public holiday, on the next working day. The
holidays are those where the controller is: its country's, and its region's where
the policy names one (``[controller] subdivision``).
"""

from __future__ import annotations

import datetime as dt

from rekisteri.core.clock import add_months
from rekisteri.core.countries import public_holidays
from rekisteri.policy.selectors import policy_get

# Art. 12(3): one month, and at most two more.
ANSWER_MONTHS = 1
MAX_EXTENSION_MONTHS = 2


def is_working_day(day: dt.date) -> bool:
    controller = policy_get().controller
    return day.weekday() < 5 and day not in public_holidays(
        controller.country, controller.subdivision, day.year
    )


def next_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def due_date_for(received_on: dt.date, *, extension_months: int = 0) -> dt.date:
    """The last day to answer a request received on ``received_on``."""
    return next_working_day(add_months(received_on, ANSWER_MONTHS + extension_months))
