"""The Typer application, its global options, and error handling for every command."""

from __future__ import annotations

import logging
import sys
import traceback
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import typer
from typer import exceptions as typer_exc

try:  # Typer >= 0.29 vendors its own click; its exceptions are the ones raised
    from typer._click import exceptions as click_exc
except ImportError:  # pragma: no cover - older Typer on upstream click
    from click import exceptions as click_exc  # type: ignore[no-redef]

from vigil.errors import ConfigError, QueryError, VigilError
from vigil.settings import Settings, load_settings

app = typer.Typer(
    name="vigil",
    help="Vigil: early-warning news pipeline for genocide and mass-atrocity prevention.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class State:
    debug: bool = False
    overrides: dict[str, Any] | None = None

    def settings(self) -> Settings:
        return load_settings(**(self.overrides or {}))


STATE = State()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    data_dir: Annotated[str | None, typer.Option("--data-dir", help="Data directory (VIGIL_DATA_DIR).")] = None,
) -> None:
    STATE.debug = debug
    STATE.overrides = {"data_dir": data_dir} if data_dir else {}
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


def date_option(option: str, value: str | None) -> date | None:
    """Parse a ``YYYY-MM-DD`` option value, or fail with one line naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} must be a date like 2026-01-31, not {value!r}", 2) from None


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one error line on stderr and return an Exit to raise."""
    typer.echo(f"vigil: error: {message}", err=True)
    return typer.Exit(code)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning every error into one line on stderr."""
    _register_commands()
    args = sys.argv[1:] if argv is None else argv
    command = typer.main.get_command(app)
    debug = "--debug" in args
    try:
        result = command.main(args=args, prog_name="vigil", standalone_mode=False)
        if isinstance(result, int):  # typer.Exit(code) raised by a command comes back as its code
            return result
    except typer_exc.Exit as exc:
        return int(exc.exit_code or 0)
    except typer_exc.Abort:
        typer.echo("vigil: aborted", err=True)
        return 130
    except click_exc.NoArgsIsHelpError as exc:
        typer.echo(exc.format_message())
        return 2
    except click_exc.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        typer.echo(f"vigil: error: {exc.format_message()}{hint}", err=True)
        return 2
    except click_exc.ClickException as exc:
        typer.echo(f"vigil: error: {exc.format_message()}", err=True)
        return exc.exit_code
    except QueryError as exc:
        typer.echo(f"vigil: error: {exc.pointer()}", err=True)
        return 2
    except (ConfigError, VigilError) as exc:
        if debug:
            traceback.print_exc()
        typer.echo(f"vigil: error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        typer.echo("vigil: interrupted", err=True)
        return 130
    except Exception as exc:
        if debug:
            traceback.print_exc()
        typer.echo(f"vigil: error: unexpected {type(exc).__name__}: {exc} (run with --debug for details)",
                   err=True)
        return 1
    return 0


_registered = False


def _register_commands() -> None:
    """Import the command modules (each registers itself on ``app``)."""
    global _registered
    if _registered:
        return
    from vigil.cli import (  # noqa: F401
        commands_analysis,
        commands_feeds,
        commands_ingest,
        commands_search,
        commands_tools,
        commands_web,
    )

    _registered = True
