from django.urls import path

from rekisteri.portal import choices, cookies, my, surveys, views
from rekisteri.portal.languages import offered_only

urlpatterns = [
    path("", views.home, {"lang": "fi"}, name="home-fi"),
    path("en/", views.home, {"lang": "en"}, name="home-en"),
    path("sv/", views.home, {"lang": "sv"}, name="home-sv"),
    path("tietosuojaseloste", views.notice, {"lang": "fi"}, name="notice-fi"),
    path("en/privacy", views.notice, {"lang": "en"}, name="notice-en"),
    path("sv/integritetspolicy", views.notice, {"lang": "sv"}, name="notice-sv"),
    path("healthz", views.healthz, name="healthz"),
    # The data subject's own pages, in Finnish, English and Swedish.
    path("oma/", my.overview, {"lang": "fi"}, name="my-fi"),
    path("en/my/", my.overview, {"lang": "en"}, name="my-en"),
    path("sv/mina-sidor/", my.overview, {"lang": "sv"}, name="my-sv"),
    path("oma/kirjaudu", my.sign_in, {"lang": "fi"}, name="my-sign-in-fi"),
    path("en/my/sign-in", my.sign_in, {"lang": "en"}, name="my-sign-in-en"),
    path("sv/mina-sidor/logga-in", my.sign_in, {"lang": "sv"}, name="my-sign-in-sv"),
    path("oma/linkki", my.sign_in_link, {"lang": "fi"}, name="my-link-fi"),
    path("en/my/link", my.sign_in_link, {"lang": "en"}, name="my-link-en"),
    path("sv/mina-sidor/lank", my.sign_in_link, {"lang": "sv"}, name="my-link-sv"),
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
        "sv/mina-sidor/e-post/bekrafta",
        my.email_change,
        {"lang": "sv", "action": "confirm"},
        name="my-email-confirm-sv",
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
    path(
        "sv/mina-sidor/e-post/angra",
        my.email_change,
        {"lang": "sv", "action": "undo"},
        name="my-email-undo-sv",
    ),
    path("oma/ulos", my.sign_out, {"lang": "fi"}, name="my-sign-out-fi"),
    path("en/my/sign-out", my.sign_out, {"lang": "en"}, name="my-sign-out-en"),
    path("sv/mina-sidor/logga-ut", my.sign_out, {"lang": "sv"}, name="my-sign-out-sv"),
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
    path(
        "sv/mina-sidor/meddelande/<id:announcement_id>",
        my.announcement_read,
        {"lang": "sv"},
        name="my-announcement-sv",
    ),
    path("oma/pyynto", my.file_request, {"lang": "fi"}, name="my-request-fi"),
    path("en/my/request", my.file_request, {"lang": "en"}, name="my-request-en"),
    path("sv/mina-sidor/begaran", my.file_request, {"lang": "sv"}, name="my-request-sv"),
    path("oma/valinnat", choices.choices, {"lang": "fi"}, name="my-choices-fi"),
    path("en/my/choices", choices.choices, {"lang": "en"}, name="my-choices-en"),
    path("sv/mina-sidor/val", choices.choices, {"lang": "sv"}, name="my-choices-sv"),
    path("oma/valinnat/muuta", choices.choose, {"lang": "fi"}, name="my-choose-fi"),
    path("en/my/choices/change", choices.choose, {"lang": "en"}, name="my-choose-en"),
    path("sv/mina-sidor/val/andra", choices.choose, {"lang": "sv"}, name="my-choose-sv"),
    # The opt-out link every marketing message carries; no sign-in.
    path("markkinointikielto/<str:token>", choices.opt_out, {"lang": "fi"}, name="opt-out-fi"),
    path("en/opt-out/<str:token>", choices.opt_out, {"lang": "en"}, name="opt-out-en"),
    path("sv/avregistrera/<str:token>", choices.opt_out, {"lang": "sv"}, name="opt-out-sv"),
    # A survey invitation's link: answered without signing in.
    path("kysely/<str:token>", surveys.survey, {"lang": "fi"}, name="survey-fi"),
    path("en/survey/<str:token>", surveys.survey, {"lang": "en"}, name="survey-en"),
    path("sv/enkat/<str:token>", surveys.survey, {"lang": "sv"}, name="survey-sv"),
    # The cookie banner of the company's web site (notice §10).
    path("consent/banner.js", cookies.banner_js, name="cookie-banner"),
    path("consent/decisions", cookies.decision, name="cookie-decision"),
    path("consent/demo", cookies.demo, {"lang": "fi"}, name="cookie-demo-fi"),
    path("consent/demo/<int:page>", cookies.demo, {"lang": "fi"}, name="cookie-demo-2-fi"),
    path("en/consent/demo", cookies.demo, {"lang": "en"}, name="cookie-demo-en"),
    path("sv/consent/demo", cookies.demo, {"lang": "sv"}, name="cookie-demo-sv"),
    path("en/consent/demo/<int:page>", cookies.demo, {"lang": "en"}, name="cookie-demo-2-en"),
    path("sv/consent/demo/<int:page>", cookies.demo, {"lang": "sv"}, name="cookie-demo-2-sv"),
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
    path(
        "sv/mina-sidor/paket/<id:package_id>/<str:name>",
        my.download,
        {"lang": "sv"},
        name="my-download-sv",
    ),
]

# A page in a language the register's policy does not offer leads to the same
# page in the policy's default language.
urlpatterns = [offered_only(pattern) for pattern in urlpatterns]
