from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "rekisteri.policy"
    label = "policy"
    verbose_name = "Register description"
