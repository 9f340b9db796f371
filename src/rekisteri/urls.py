from django.urls import include, path

from rekisteri.api.api import api
from rekisteri.core import urls as _converters  # noqa: F401 - registers <id:...>

urlpatterns = [
    path("api/", api.urls),
    path("console/", include("rekisteri.console.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("rekisteri.portal.urls")),
]
