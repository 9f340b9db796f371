from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "rekisteri.demo"
    label = "demo"
    verbose_name = "Demo register"
