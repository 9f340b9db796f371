from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "rekisteri.rights"
    label = "rights"
    verbose_name = "Data subject rights"

    def ready(self) -> None:
        # Registers the rights app's jobs, so that the worker can run them.
        from rekisteri.rights import jobs  # noqa: F401
        from rekisteri.rights.fulfilment import steps_check

        # A right that no step answers is refused at start-up, not when a person asks for it.
        steps_check()
