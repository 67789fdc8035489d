"""The WSGI entry point: `flask --app wsgi …` and gunicorn use `app`."""

from locator import create_app

app = create_app()
