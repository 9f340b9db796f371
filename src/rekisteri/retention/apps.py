from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "rekisteri.retention"
    label = "retention"
    verbose_name = "Retention and erasure"

    def ready(self) -> None:
        # Registers the daily sweep with the job runner.
        from rekisteri.retention import sweep  # noqa: F401
