"""Thin entry point: the same server as `cmassist serve` (`python app.py`)."""

import uvicorn

from cmassist.bootstrap import Services
from cmassist.interfaces.http.inbox_api import build_server
from cmassist.interfaces.web.app import build_app
from cmassist.interfaces.web.auth import AUTH_MESSAGE, app_auth

if __name__ == "__main__":
    services = Services()
    auth = app_auth(services)
    server, _ = build_server(services, build_app(services), auth=auth, auth_message=AUTH_MESSAGE)
    uvicorn.run(server, host=services.settings.host, port=services.settings.port)
