from django.urls import include, path

urlpatterns = [
    path("", include("rekisteri.portal.urls")),
]
