from django.urls import path

from rekisteri.portal import my, views

urlpatterns = [
    path("", views.home, {"lang": "fi"}, name="home-fi"),
    path("en/", views.home, {"lang": "en"}, name="home-en"),
    path("tietosuojaseloste", views.notice, {"lang": "fi"}, name="notice-fi"),
    path("en/privacy", views.notice, {"lang": "en"}, name="notice-en"),
    path("healthz", views.healthz, name="healthz"),
    # The data subject's own pages, in Finnish and in English.
    path("oma/", my.overview, {"lang": "fi"}, name="my-fi"),
    path("en/my/", my.overview, {"lang": "en"}, name="my-en"),
    path("oma/kirjaudu", my.sign_in, {"lang": "fi"}, name="my-sign-in-fi"),
    path("en/my/sign-in", my.sign_in, {"lang": "en"}, name="my-sign-in-en"),
    path("oma/linkki", my.sign_in_link, {"lang": "fi"}, name="my-link-fi"),
    path("en/my/link", my.sign_in_link, {"lang": "en"}, name="my-link-en"),
    path("oma/ulos", my.sign_out, {"lang": "fi"}, name="my-sign-out-fi"),
    path("en/my/sign-out", my.sign_out, {"lang": "en"}, name="my-sign-out-en"),
    path("oma/pyynto", my.file_request, {"lang": "fi"}, name="my-request-fi"),
    path("en/my/request", my.file_request, {"lang": "en"}, name="my-request-en"),
    path(
        "oma/paketti/<id:package_id>/<str:name>",
        my.download,
        {"lang": "fi"},
        name="my-download-fi",
    ),
    path(
        "en/my/package/<id:package_id>/<str:name>",
        my.download,
        {"lang": "en"},
        name="my-download-en",
    ),
]
