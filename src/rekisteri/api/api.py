"""The register's HTTP API: one NinjaAPI, one error format for every 4xx."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from rekisteri.api.models import IdempotencyRecord
from rekisteri.api.uploads import MAX_UPLOAD_BYTES, upload_too_big
from rekisteri.audit.services import audit_refusals_keep
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Conflict, CoreCode, Forbidden, InvalidInput, RekisteriError
from rekisteri.register.error_codes import RegisterCode
from rekisteri.staff.keys import Scope, api_key_actor, api_key_authenticate
from rekisteri.staff.models import ApiKey


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer rk_…`: the key of one integrating system."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return api_key_authenticate(token)


class RekisteriApi(NinjaAPI):
    """The API, with what the HTTP server in front of it answers documented too."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for item in schema["paths"].values():
            for operation in item.values():
                # gunicorn refuses a request line over 4 KiB before the register sees it.
                operation["responses"]["414"] = {
                    "description": "The request line is too long (refused by the HTTP server)",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                }
        return schema


api = RekisteriApi(
    title="Rekisteri API",
    version="1",
    description=(
        "The customer register for integrating systems. Authenticate with "
        "`Authorization: Bearer <key>`; keys are scoped to operations and purposes. "
        "Writes accept an `Idempotency-Key` header; a retry with the same key and body "
        "gets the first answer again. Every error has the same shape: code, message, data."
    ),
    auth=ApiKeyAuth(),
    urls_namespace="api",
)

# Every status an operation can answer with besides its success (schemathesis holds us to it).
ERRORS = (400, 401, 403, 404, 409, 422)
# Said of every write: what the register description does not collect is never stored.
NOT_COLLECTED = (
    "A datum the register description declares not collected (`not_collected`) is "
    "refused with 422 and the code `not_collected`; `data.field` names it. Nothing is stored."
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, data: dict[str, Any]
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "data": data}, status=status
    )


# A unique value someone already holds. Which one clashed, and that a given e-mail
# address is on file, is for the gate to tell (for a purpose, audited, leaving out
# restricted and objecting people), never for a refused write: every clash gets the
# one answer a race on the same values gets.
UNIQUE_CLASHES = frozenset(
    {
        RegisterCode.EMAIL_TAKEN,
        RegisterCode.USERNAME_TAKEN,
        RegisterCode.INVALID_PERSONAL_IDENTITY_CODE,
    }
)
CONFLICT_MESSAGE = "the change conflicts with data already in the register"


@api.exception_handler(RekisteriError)
def _register_error(request: HttpRequest, exc: RekisteriError) -> HttpResponse:
    # A refused read stays in the audit trail though its transaction was rolled back.
    audit_refusals_keep(exc)
    if isinstance(exc, Conflict) and exc.code in UNIQUE_CLASHES:
        return _error(request, 409, str(CoreCode.CONFLICT), CONFLICT_MESSAGE, {})
    return _error(request, exc.http_status, str(exc.code), exc.message, exc.data)


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    if upload_too_big(request):
        return _error(
            request,
            413,
            "upload_too_large",
            f"the upload is larger than {MAX_UPLOAD_BYTES // 1024} KiB",
            {},
        )
    # Where and what, never the value sent: it may be personal data.
    errors = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    return _error(
        request, 422, "invalid_request", "the request does not match the schema", {"errors": errors}
    )


@api.exception_handler(IntegrityError)
def _conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # Two requests raced for the same unique value; the database's text names the
    # value, so it is not passed on.
    return _error(request, 409, str(CoreCode.CONFLICT), CONFLICT_MESSAGE, {})


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request, 401, "unauthenticated", "a valid API key is required (Authorization: Bearer)", {}
    )


@api.exception_handler(RawPostDataException)
def _form_body(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    # A form body sent to an operation that reads JSON: the form was parsed before the
    # view (to refuse unstorable text), so the body is gone; it is unparseable as JSON
    # in any case, and answered as every unparseable body is.
    return _error(request, 400, "http_error", "Cannot parse request body", {})


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc), {})


def actor_for(request: HttpRequest, scope: Scope) -> Actor:
    """The calling system as an actor, if its key holds ``scope``."""
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    if scope not in key.scopes:
        raise Forbidden(f"this API key lacks the scope {scope}", data={"scope": str(scope)})
    # Ids and an address, for the audit trail's "from where".
    return replace(api_key_actor(key), origin=f"api {request.META.get('REMOTE_ADDR', '')}")


_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


def idempotent(
    request: HttpRequest, payload: Any, write: Callable[[], dict[str, Any]], status: int = 201
) -> Status[dict[str, Any]]:
    """Run ``write`` once per Idempotency-Key; a retry gets the first answer again."""
    header = request.headers.get("Idempotency-Key")
    if header is None:
        return Status(status, write())
    if not _IDEMPOTENCY_KEY.match(header):
        raise InvalidInput("Idempotency-Key: 1 to 100 letters, digits or _ . : -")
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    body = json.dumps(payload, sort_keys=True, default=str)
    request_hash = hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()

    def replay() -> Status[dict[str, Any]] | None:
        record = IdempotencyRecord.objects.filter(api_key=key, key=header).first()
        if record is None:
            return None
        if record.request_hash != request_hash:
            raise Conflict(
                "Idempotency-Key was used before with a different request",
                data={"idempotency_key": header},
            )
        return Status(record.status_code, record.response)

    first = replay()
    if first is not None:
        return first
    try:
        with transaction.atomic():
            # Concurrent retries of one key queue here; the first one's answer wins.
            ApiKey.objects.select_for_update().filter(pk=key.pk).first()
            again = replay()
            if again is not None:
                return again
            result = write()
            IdempotencyRecord.objects.create(
                api_key=key,
                key=header,
                request_hash=request_hash,
                status_code=status,
                response=result,
                created_at=clock.now(),
            )
    except IntegrityError:
        # A concurrent retry won; our write was rolled back with the record.
        again = replay()
        if again is None:
            raise
        return again
    return Status(status, result)


api.add_router("/people", "rekisteri.api.people.router")
api.add_router("/organisations", "rekisteri.api.organisations.router")
api.add_router("/requests", "rekisteri.api.requests.router")
api.add_router("", "rekisteri.api.consent.router")
