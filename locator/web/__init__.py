"""What every request passes through: languages, errors, security headers, static serving, health,
warm-up, the private access log and the gunicorn worker.
"""
