"""The ASGI entry point for servers (``uvicorn zhuisu.web.asgi:app``): the app on the environment's settings.

This module builds the app when it is imported, which is its whole purpose; nothing else imports it.
"""

from zhuisu.config import get_settings
from zhuisu.web.app import create_app

app = create_app(get_settings())
