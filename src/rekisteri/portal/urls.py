from django.urls import path

from rekisteri.portal import views

urlpatterns = [
    path("", views.home, {"lang": "fi"}, name="home-fi"),
    path("en/", views.home, {"lang": "en"}, name="home-en"),
    path("tietosuojaseloste", views.notice, {"lang": "fi"}, name="notice-fi"),
    path("en/privacy", views.notice, {"lang": "en"}, name="notice-en"),
    path("healthz", views.healthz, name="healthz"),
]
