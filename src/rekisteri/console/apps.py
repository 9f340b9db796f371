from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "rekisteri.console"
    label = "console"
    verbose_name = "Staff console"
