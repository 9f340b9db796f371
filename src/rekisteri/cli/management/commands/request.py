from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from rekisteri.cli.base import RekisteriCommand, language_choices
from rekisteri.core import clock
from rekisteri.core.actors import CLI
from rekisteri.core.jobs import job_enqueue, job_run, jobs_run_queued
from rekisteri.core.models import JobState
from rekisteri.rights.models import (
    RequestChannel,
    RightKind,
    SubjectRequest,
    VerificationMethod,
)
from rekisteri.rights.selectors import packages_of, request_get, requests_all, requests_queue
from rekisteri.rights.services import (
    request_create,
    request_extend,
    request_fulfil,
    request_reject,
    request_verification_code_send,
    request_verify,
    request_verify_code,
    restriction_lift,
)

# The channels a written request arrives by; the portal and the API file their own.
WRITTEN = (RequestChannel.LETTER, RequestChannel.EMAIL, RequestChannel.CUSTOMER_SERVICE)
PACKAGED = (RightKind.ACCESS, RightKind.PORTABILITY)
SOON_DAYS = 7
# A rectification's proposed contact data: options, and the address's (option, detail key).
RECTIFIED = ("email", "phone")
ADDRESS = (("street", "street_address"), ("postal_code", "postal_code"), ("city", "city"))


def _received_at(day: dt.date | None) -> dt.datetime | None:
    """A written request's date of receipt, as noon in the controller's time zone (today: now)."""
    if day is None or day == clock.today():
        return None
    return dt.datetime.combine(day, dt.time(12), tzinfo=clock.zone())


def _details(options: dict[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = {key: options[key] for key in RECTIFIED if options[key]}
    address = {key: options[o] or "" for o, key in ADDRESS}
    if any(address.values()):
        details["address"] = address
    if details and options["kind"] != RightKind.RECTIFICATION:
        raise CommandError(
            "--email, --phone, --street, --postal-code and --city belong to a rectification"
        )
    if options["reason"]:
        details["reason"] = options["reason"]
    return details


def _plain(value: Any) -> str:
    """A certificate's counts and keys on one line, without Python's brackets."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items()) or "-"
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value) or "-"
    return str(value)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date; give one as YYYY-MM-DD") from None


class Command(RekisteriCommand):
    help = (
        "Handle data subject requests (notice §11): register a written request, verify the "
        "requester, extend the deadline, answer or refuse. Prints ids, never personal data."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        create = sub.add_parser("create", help="Register a request that came in writing.")
        create.add_argument("--person", type=int, required=True, help="the person's id")
        create.add_argument("--kind", required=True, choices=RightKind.values)
        create.add_argument("--channel", choices=[str(c) for c in WRITTEN], default="letter")
        create.add_argument(
            "--received",
            type=_date,
            default=None,
            metavar="YYYY-MM-DD",
            help="the day it arrived, when not today; the deadline runs from it",
        )
        create.add_argument(
            "--language", choices=language_choices(), default=settings.LANGUAGE_CODE
        )
        create.add_argument("--email", help="rectification: the proposed e-mail address")
        create.add_argument("--phone", help="rectification: the proposed phone number")
        create.add_argument("--street", help="rectification: the proposed street address")
        create.add_argument("--postal-code", help="rectification: the proposed postal code")
        create.add_argument("--city", help="rectification: the proposed city")
        create.add_argument("--reason", default="", help="the person's reason, in brief")

        listing = sub.add_parser("list", help="Open requests by due date.")
        listing.add_argument("--all", action="store_true", help="answered requests too")

        show = sub.add_parser("show", help="Everything about one request (no personal data).")
        show.add_argument("id", type=int)

        verify = sub.add_parser("verify", help="Verify that the requester is the person.")
        verify.add_argument("id", type=int)
        how = verify.add_mutually_exclusive_group(required=True)
        how.add_argument("--note", help="what staff checked (never copy an identity document)")
        how.add_argument(
            "--send-code", action="store_true", help="e-mail a code to the address on file"
        )
        how.add_argument("--code", help="the code the person received")

        extend = sub.add_parser("extend", help="Extend the deadline once (Art. 12(3)).")
        extend.add_argument("id", type=int)
        extend.add_argument("--months", type=int, required=True, choices=(1, 2))
        extend.add_argument("--reason", required=True, help="why; the person is told")

        fulfil = sub.add_parser("fulfil", help="Answer a verified request.")
        fulfil.add_argument("id", type=int)
        fulfil.add_argument("--reason", default="", help="a note on the decision")
        fulfil.add_argument(
            "--wait",
            action="store_true",
            help="run the queued jobs (the package, the notices) here and now",
        )

        reject = sub.add_parser("reject", help="Refuse a request, with reasons (Art. 12(4)).")
        reject.add_argument("id", type=int)
        reject.add_argument("--reason", required=True)

        lift = sub.add_parser("lift", help="Lift a restriction the person asked for.")
        lift.add_argument("id", type=int)

        remind = sub.add_parser(
            "remind", help="Remind the data protection officer of requests due soon or overdue."
        )
        remind.add_argument("--wait", action="store_true", help="send it here, now")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        request = request_create(
            actor=CLI,
            person_id=options["person"],
            kind=options["kind"],
            channel=options["channel"],
            received_at=_received_at(options["received"]),
            language=options["language"],
            details=_details(options),
        )
        self.stdout.write(
            f"Request {request.pk} ({request.kind}) registered: received "
            f"{request.received_on.isoformat()}, due {request.due_on.isoformat()}."
        )
        if request.duplicate_of_id:
            self.stdout.write(
                f"It repeats open request {request.duplicate_of_id} (the same person and right)."
            )
        if request.is_open:
            self.stdout.write(
                f"Next: verify the requester (rekisteri request verify {request.pk} "
                "--send-code, or --note after checking)."
            )
        else:
            self.stdout.write(f"Answered at once: the request is {request.state}.")

    def _list(self, options: dict[str, Any]) -> None:
        queue = requests_queue(soon_days=SOON_DAYS)
        overdue = {r.pk for r in queue.overdue}
        soon = {r.pk for r in queue.due_soon}
        rows = queue.open
        if options["all"]:
            rows = requests_all()
        if not rows:
            self.stdout.write("No open requests." if not options["all"] else "No requests.")
            return
        self.stdout.write("id\tkind\tstate\tchannel\treceived\tdue\tflags")
        for r in rows:
            flags = [
                *(["OVERDUE"] if r.pk in overdue else []),
                *([f"due-within-{SOON_DAYS}-days"] if r.pk in soon else []),
                *([f"duplicate-of:{r.duplicate_of_id}"] if r.duplicate_of_id else []),
                *(["extended"] if r.extended_at else []),
            ]
            self.stdout.write(
                f"{r.pk}\t{r.kind}\t{r.state}\t{r.channel}\t{r.received_on.isoformat()}\t"
                f"{r.due_on.isoformat()}\t{','.join(flags) or '-'}"
            )

    def _show(self, options: dict[str, Any]) -> None:
        r = request_get(request_id=options["id"])
        fields: list[tuple[str, Any]] = [
            ("request", r.pk),
            ("person", r.person_id),
            ("kind", r.kind),
            ("state", r.state),
            ("channel", r.channel),
            ("language", r.language),
            ("filed by", r.filed_by),
            ("received at", r.received_at),
            ("received on", r.received_on),
            ("due on", r.due_on),
            ("original due on", r.original_due_on),
            ("extended at", r.extended_at),
            ("extension reason", r.extension_reason),
            ("verified at", r.verified_at),
            ("verification", r.verification_method),
            ("verification note", r.verification_note),
            ("notice version", r.notice_version),
            ("duplicate of", r.duplicate_of_id),
            ("restricts processing", "yes" if r.restricts else "no"),
            ("decided at", r.decided_at),
            ("decision reason", r.decision_reason),
            # The values are personal data: only which fields were given.
            ("details given", ", ".join(sorted(r.details))),
        ]
        for label, value in fields:
            if isinstance(value, dt.datetime):
                value = value.astimezone(clock.zone()).isoformat(timespec="seconds")
            elif isinstance(value, dt.date):
                value = value.isoformat()
            self.stdout.write(f"{label}: {'-' if value in (None, '') else value}")
        self._result(r)

    def _result(self, r: SubjectRequest) -> None:
        """The answer's facts; the result holds ids, counts and keys, never personal data."""
        result = dict(r.result)
        certificate = result.pop("certificate", None)
        recipients = result.pop("recipients_to_tell", None)
        for key, value in sorted(result.items()):
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            self.stdout.write(f"result {key.replace('_', ' ')}: {shown}")
        if certificate is not None:
            self.stdout.write("erasure certificate:")
            for key, value in certificate.items():
                if isinstance(value, list):
                    self.stdout.write(f"  {key}:{'' if value else ' -'}")
                    for item in value:
                        self.stdout.write(f"    - {_plain(item)}")
                else:
                    self.stdout.write(f"  {key}: {_plain(value)}")
        if recipients is not None:
            self.stdout.write(f"recipients to tell (Art. 19): {len(recipients) or 'none'}")
            for recipient in recipients:
                self.stdout.write(
                    f"  disclosure {recipient['disclosure']}: {recipient['recipient']} on "
                    f"{recipient['disclosed_on']} ({', '.join(recipient['categories'])})"
                )
        if r.kind in PACKAGED:
            for package in packages_of(person_id=r.person_id):
                if package.request_id == r.pk:
                    names = ", ".join(
                        f"{f.name} ({len(f.content)} bytes)" for f in package.files.all()
                    )
                    self.stdout.write(
                        f"package {package.pk}: ready, downloadable in the portal until "
                        f"{package.expires_at.astimezone(clock.zone()).date().isoformat()}: "
                        f"{names}"
                    )

    def _verify(self, options: dict[str, Any]) -> None:
        pk = options["id"]
        if options["send_code"]:
            code = request_verification_code_send(actor=CLI, request_id=pk)
            self.stdout.write(
                f"A code was e-mailed to the address on file; it works until "
                f"{code.expires_at.astimezone(clock.zone()):%H:%M}. Enter it with "
                f"`rekisteri request verify {pk} --code CODE`."
            )
            return
        if options["code"] is not None:
            request = request_verify_code(actor=CLI, request_id=pk, code=options["code"])
        else:
            request = request_verify(
                actor=CLI,
                request_id=pk,
                method=VerificationMethod.STAFF_CHECK,
                note=options["note"],
            )
        self.stdout.write(
            f"Request {request.pk} is verified; it is due {request.due_on.isoformat()}."
        )

    def _extend(self, options: dict[str, Any]) -> None:
        request = request_extend(
            actor=CLI, request_id=options["id"], months=options["months"], reason=options["reason"]
        )
        was = request.original_due_on.isoformat() if request.original_due_on else "-"
        self.stdout.write(
            f"Request {request.pk} is now due {request.due_on.isoformat()} (was {was}); "
            "the person is told, with the reasons."
        )

    def _fulfil(self, options: dict[str, Any]) -> None:
        request = request_fulfil(
            actor=CLI, request_id=options["id"], decision_reason=options["reason"]
        )
        packaging = request.kind in PACKAGED and request.is_open
        job_id = request.result.get("job")
        if packaging:
            self.stdout.write(
                f"Request {request.pk}: the worker builds package {request.result.get('package')} "
                f"(job {job_id}); the request is answered when the files are ready."
            )
        if options["wait"]:
            self._run_queued()
            request = request_get(request_id=request.pk)
            if packaging and request.is_open:
                raise CommandError(
                    f"the package of request {request.pk} is not ready: job {job_id} did not "
                    "finish; see the message above, or let `rekisteri worker` run it"
                )
        elif packaging:
            return
        self.stdout.write(f"Request {request.pk} is {request.state}.")
        self._result(request)

    def _reject(self, options: dict[str, Any]) -> None:
        request = request_reject(actor=CLI, request_id=options["id"], reason=options["reason"])
        self.stdout.write(
            f"Request {request.pk} is {request.state}; the person is told why and how to complain."
        )

    def _lift(self, options: dict[str, Any]) -> None:
        request = restriction_lift(actor=CLI, request_id=options["id"])
        self.stdout.write(
            f"The restriction of request {request.pk} is lifted (the person was told first)."
        )

    def _remind(self, options: dict[str, Any]) -> None:
        job = job_enqueue("rights.remind")
        self.stdout.write(f"The reminder to the data protection officer is queued as job {job.pk}.")
        if not options["wait"]:
            return
        job = job_run(job.pk)
        if job.state != JobState.DONE:
            raise CommandError(f"job {job.pk} is {job.state} ({job.last_error or 'no error'})")
        queue = requests_queue(soon_days=SOON_DAYS)
        if job.checkpoint.get("sent"):
            self.stdout.write(
                f"Sent: {len(queue.due_soon)} due within {SOON_DAYS} days, "
                f"{len(queue.overdue)} overdue."
            )
        else:
            self.stdout.write("Nothing is due soon or overdue; no reminder was needed.")

    def _run_queued(self) -> None:
        for job in jobs_run_queued():
            if job.state == JobState.FAILED:
                self.stderr.write(f"job {job.pk} ({job.name}) failed: {job.last_error}")
