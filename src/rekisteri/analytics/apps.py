from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "rekisteri.analytics"
    label = "analytics"
    verbose_name = "Analysis, reporting and statistics"
