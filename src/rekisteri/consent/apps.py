from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "rekisteri.consent"
    label = "consent"
    verbose_name = "Consents and prohibitions"
