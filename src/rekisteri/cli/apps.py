from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "rekisteri.cli"
    label = "cli"
    verbose_name = "Command line"
