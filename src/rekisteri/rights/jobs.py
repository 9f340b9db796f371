"""The rights app's jobs and hooks; importing this module registers them.

The package, notice and sign-in jobs with the job runner, the purge of expired
packages, the open requests' hold on the retention sweep, and every right's
fulfilment step.
"""

from rekisteri.rights import fulfilment, notify, package_files, packages, requests, subjects

__all__ = ["fulfilment", "notify", "package_files", "packages", "requests", "subjects"]
