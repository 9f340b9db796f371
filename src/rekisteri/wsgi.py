"""The WSGI entry point that gunicorn serves."""

import os

from django.core.wsgi import get_wsgi_application

from rekisteri.core.files import restrict_umask

# gunicorn's workers import this first: what they write is readable by our user only.
restrict_umask()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rekisteri.settings")

application = get_wsgi_application()
