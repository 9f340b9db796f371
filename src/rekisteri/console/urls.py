from django.urls import path

from rekisteri.console import views

urlpatterns = [
    path("", views.home_view, name="console-home"),
    path("login", views.login_view, name="console-login"),
    path("login/code", views.code_view, name="console-code"),
    path("logout", views.logout_view, name="console-logout"),
    path("enrol/<str:token>", views.enrol_view, name="console-enrol"),
    path("people/<id:person_id>", views.person_view, name="console-person"),
    path("people/<id:person_id>/rectify", views.rectify_view, name="console-rectify"),
    path("compliance", views.compliance_view, name="console-compliance"),
    path("reports", views.reports_view, name="console-reports"),
    path("segments", views.segments_view, name="console-segments"),
    path("reports/<slug:key>.csv", views.report_csv_view, name="console-report-csv"),
    path("requests", views.requests_view, name="console-requests"),
    path("staff-reads", views.staff_reads_view, name="console-staff-reads"),
    path("requests/<id:request_id>", views.request_view, name="console-request"),
]
