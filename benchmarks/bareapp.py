"""The baseline server: one Flask route, served with the same gunicorn settings as the app.

What the machine, gunicorn and Flask cost before the app does any work of its own.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/ping")
def ping() -> str:
    return "ok"
