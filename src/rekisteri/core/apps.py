from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rekisteri.core"
    label = "core"
    verbose_name = "Rekisteri core"
