"""Every command and every setting is documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from vigil.cli.app import _register_commands, app
from vigil.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def command_paths() -> list[str]:
    _register_commands()
    paths = []
    for info in app.registered_commands:
        name = info.name or (info.callback.__name__ if info.callback else "")
        paths.append(name.replace("_", "-"))
    for group in app.registered_groups:
        sub = group.typer_instance
        assert isinstance(sub, typer.Typer)
        for info in sub.registered_commands:
            name = info.name or (info.callback.__name__ if info.callback else "")
            paths.append(f"{group.name} {name.replace('_', '-')}")
    return sorted(paths)


@pytest.mark.parametrize("command", command_paths())
def test_command_is_in_readme(command: str) -> None:
    assert f"vigil {command}" in README, f"README does not mention 'vigil {command}'"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_setting_is_in_readme(field: str) -> None:
    assert f"VIGIL_{field.upper()}" in README, f"README does not document VIGIL_{field.upper()}"


def test_readme_shows_the_two_commands() -> None:
    assert "make demo" in README and "make test" in README
