"""Stop oversized uploads before they are written anywhere."""

from __future__ import annotations

from typing import IO

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

# A logo is at most 2 MiB; the multipart envelope adds a little.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024 + 64 * 1024


def upload_too_big(request: HttpRequest) -> bool:
    return bool(getattr(request, "_rekisteri_upload_too_big", False))


class SizeLimitedUploadHandler(FileUploadHandler):
    """Stop reading a file past the limit, and mark the request for a clear 413."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0
        self.declared_too_big = False

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        self.declared_too_big = content_length > MAX_UPLOAD_BYTES

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        # Counted as well as declared: a chunked body has no length up front.
        self.received += len(raw_data)
        if self.declared_too_big or self.received > MAX_UPLOAD_BYTES:
            self.request._rekisteri_upload_too_big = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
