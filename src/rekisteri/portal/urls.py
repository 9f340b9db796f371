from django.urls import path

from rekisteri.portal import choices, cookies, my, surveys, views

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
    # The links of a message about a change of one's e-mail address; no sign-in.
    path(
        "oma/sahkoposti/vahvista",
        my.email_change,
        {"lang": "fi", "action": "confirm"},
        name="my-email-confirm-fi",
    ),
    path(
        "en/my/email/confirm",
        my.email_change,
        {"lang": "en", "action": "confirm"},
        name="my-email-confirm-en",
    ),
    path(
        "oma/sahkoposti/peru",
        my.email_change,
        {"lang": "fi", "action": "undo"},
        name="my-email-undo-fi",
    ),
    path(
        "en/my/email/undo",
        my.email_change,
        {"lang": "en", "action": "undo"},
        name="my-email-undo-en",
    ),
    path("oma/ulos", my.sign_out, {"lang": "fi"}, name="my-sign-out-fi"),
    path("en/my/sign-out", my.sign_out, {"lang": "en"}, name="my-sign-out-en"),
    path(
        "oma/ilmoitus/<id:announcement_id>",
        my.announcement_read,
        {"lang": "fi"},
        name="my-announcement-fi",
    ),
    path(
        "en/my/announcement/<id:announcement_id>",
        my.announcement_read,
        {"lang": "en"},
        name="my-announcement-en",
    ),
    path("oma/pyynto", my.file_request, {"lang": "fi"}, name="my-request-fi"),
    path("en/my/request", my.file_request, {"lang": "en"}, name="my-request-en"),
    path("oma/valinnat", choices.choices, {"lang": "fi"}, name="my-choices-fi"),
    path("en/my/choices", choices.choices, {"lang": "en"}, name="my-choices-en"),
    path("oma/valinnat/muuta", choices.choose, {"lang": "fi"}, name="my-choose-fi"),
    path("en/my/choices/change", choices.choose, {"lang": "en"}, name="my-choose-en"),
    # The opt-out link every marketing message carries; no sign-in.
    path("markkinointikielto/<str:token>", choices.opt_out, {"lang": "fi"}, name="opt-out-fi"),
    path("en/opt-out/<str:token>", choices.opt_out, {"lang": "en"}, name="opt-out-en"),
    # A survey invitation's link: answered without signing in.
    path("kysely/<str:token>", surveys.survey, {"lang": "fi"}, name="survey-fi"),
    path("en/survey/<str:token>", surveys.survey, {"lang": "en"}, name="survey-en"),
    # The cookie banner of the company's web site (notice §10).
    path("consent/banner.js", cookies.banner_js, name="cookie-banner"),
    path("consent/decisions", cookies.decision, name="cookie-decision"),
    path("consent/demo", cookies.demo, {"lang": "fi"}, name="cookie-demo-fi"),
    path("consent/demo/<int:page>", cookies.demo, {"lang": "fi"}, name="cookie-demo-2-fi"),
    path("en/consent/demo", cookies.demo, {"lang": "en"}, name="cookie-demo-en"),
    path("en/consent/demo/<int:page>", cookies.demo, {"lang": "en"}, name="cookie-demo-2-en"),
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
