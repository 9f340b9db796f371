from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "rekisteri.register"
    label = "register"
    verbose_name = "Customer register"
