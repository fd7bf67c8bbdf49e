"""Thin entry point: build the Gradio app from the package and launch it (`python app.py`)."""

from cmassist.services import Services
from cmassist.ui import AUTH_MESSAGE, app_auth, build_app

if __name__ == "__main__":
    services = Services()
    build_app(services).launch(
        server_name=services.settings.host,
        server_port=services.settings.port,
        auth=app_auth(services),
        auth_message=AUTH_MESSAGE,
    )
