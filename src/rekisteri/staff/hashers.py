"""argon2id with the parameters OWASP recommends (ASVS 5.0, Password Storage Cheat Sheet)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idOwaspHasher(Argon2PasswordHasher):
    # 19 MiB, 2 iterations, 1 degree of parallelism: OWASP's first configuration.
    # Django's own default (100 MiB, 8 lanes) costs a two-core server more per login.
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
