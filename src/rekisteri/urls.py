from django.urls import include, path

from rekisteri.api.api import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("rekisteri.portal.urls")),
]
