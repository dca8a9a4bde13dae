"""``scaffold serve``: choose, preview and download a project in the browser.

Needs the ``web`` extra (Starlette and uvicorn), imported only when the command runs, so the
CLI's own install and start-up stay as they are.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

DEFAULT_HOST = "127.0.0.1"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the CLI."""

    @app.command("serve")
    def serve_command(
        host: Annotated[
            str, typer.Option(help="Address to listen on; anything but loopback exposes it.")
        ] = DEFAULT_HOST,
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
        renders_per_minute: Annotated[
            int, typer.Option(help="Renders each client may ask for per minute.")
        ] = 60,
    ) -> None:
        """Choose, preview (Explore) and download a project in the browser.

        Needs the web extra: pip install 'scaffold[web]'.
        """
        try:
            import uvicorn

            from scaffold.web.app import LOOPBACK_HOSTS, Limits, create_app
        except ImportError as error:
            typer.echo(
                f"error: scaffold serve needs the web extra ({error.name} is missing): "
                "pip install 'scaffold[web]'",
                err=True,
            )
            raise typer.Exit(2) from None
        hosts = LOOPBACK_HOSTS if host in LOOPBACK else None
        application = create_app(
            limits=Limits(renders_per_minute=renders_per_minute), allowed_hosts=hosts
        )
        logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
        typer.echo(f"scaffold serve: http://{host}:{port}/ (Ctrl-C stops)")
        uvicorn.run(application, host=host, port=port, log_level="info")
