"""What every request passes through: languages, errors, security headers, static serving, health,
warm-up, the private access log and the gunicorn worker; and opening hours in words, which the
pages and the console both show.
"""
