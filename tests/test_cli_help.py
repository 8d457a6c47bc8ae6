"""`mjpm --help` speaks French: every command says what it does from the one table `app.cli.HELP`."""

import typer
from typer.testing import CliRunner

from app.cli import HELP, cli


def commands(group, prefix: str = "") -> dict:
    found = {}
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if hasattr(command, "commands"):  # a group of commands (`mjpm db`, `mjpm token`...)
            found.update(commands(command, f"{path} "))
        else:
            found[path] = command
    return found


def test_every_command_has_its_french_help_and_no_other():
    every = commands(typer.main.get_command(cli))
    assert set(every) == set(HELP)
    for path, command in every.items():
        assert command.help == HELP[path], path


def test_help_lists_the_commands_in_french():
    answer = CliRunner().invoke(cli, ["--help"], terminal_width=200)
    assert answer.exit_code == 0
    assert "Expirer maintenant les réservations sans réponse" in answer.output
    assert "Run the scheduled work" not in answer.output
