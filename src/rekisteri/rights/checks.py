"""The rights app's promises the self-check counts: answers on time (Art. 12(3)),
recipients told (Art. 19), packages built, messages sent, notice changes announced."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from rekisteri.core.selfcheck import Check
from rekisteri.rights.announcements import notice_versions_unannounced
from rekisteri.rights.notify import messages_unsent
from rekisteri.rights.recipients import recipient_notices_unsent
from rekisteri.rights.selectors import requests_overdue_count, requests_work_failed


def requests_overdue() -> list[Check]:
    return [
        Check(
            "requests.overdue",
            gettext_noop("Data subject requests past their due date"),
            requests_overdue_count(),
        )
    ]


def recipients_untold() -> list[Check]:
    return [
        Check(
            "recipients.untold",
            gettext_noop(
                "Recipients not yet told of a rectification, erasure or restriction (Art. 19)"
            ),
            recipient_notices_unsent(),
        )
    ]


def packages_failed() -> list[Check]:
    return [
        Check(
            "requests.work_failed",
            gettext_noop(
                "Open requests whose package could not be built "
                "(`rekisteri jobs list --state failed`, then `rekisteri jobs retry`)"
            ),
            len(requests_work_failed()),
        )
    ]


def messages_late() -> list[Check]:
    return [
        Check(
            "messages.unsent",
            gettext_noop(
                "Messages owed to people about their requests, not sent within an hour "
                "or given up after a week of refusals (`rekisteri jobs list --state failed`)"
            ),
            messages_unsent(),
        )
    ]


def notice_unannounced() -> list[Check]:
    return [
        Check(
            "notice.unannounced",
            gettext_noop(
                "Notice versions that change what is processed, why, how long or to whom, "
                "never announced (`rekisteri notice announce`)"
            ),
            len(notice_versions_unannounced()),
        )
    ]
