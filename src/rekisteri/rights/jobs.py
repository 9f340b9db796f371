"""The rights app's jobs; importing this module registers them with the job runner."""

from rekisteri.rights import notify, packages, subjects

__all__ = ["notify", "packages", "subjects"]
