"""The ASGI entry point for servers (``uvicorn zhuisu.app.asgi:app``): the app on the environment's settings.

This module builds the app when it is imported, which is its whole purpose; nothing else imports it.
"""

from zhuisu.app.web import create_app
from zhuisu.config import get_settings

app = create_app(get_settings())
