from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "rekisteri.staff"
    label = "staff"
    verbose_name = "Who may access the register: staff and integrating systems"
