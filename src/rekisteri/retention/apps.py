from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "rekisteri.retention"
    label = "retention"
    verbose_name = "Retention and erasure"
