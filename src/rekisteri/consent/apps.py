from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "rekisteri.consent"
    label = "consent"
    verbose_name = "Consents and prohibitions"

    def ready(self) -> None:
        # Registers the ledger's closing of purposes with the register's purpose gate.
        from rekisteri.consent import marketing  # noqa: F401
