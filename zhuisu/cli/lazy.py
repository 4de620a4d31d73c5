"""Command groups whose commands are imported when they run, not when ``zhuisu`` starts.

A group made by ``lazy_group({name: ("module:attribute", help)})`` lists its lazy commands in its help by the help
given here (nothing imported), and imports one when it is invoked, mounted as ``add_typer`` (a Typer app) or
``command`` (a function) would mount it. ``tests/cli/test_cli_startup.py`` holds each given help to the loaded
command's own.
"""

import importlib
from typing import Any, ClassVar

import typer
import typer.main
from typer._click.core import Command, Context  # typer vendors click; its TyperGroup takes this Context
from typer.core import TyperCommand, TyperGroup

#: name → ("module:attribute", the one-line help the group shows without importing it).
Commands = dict[str, tuple[str, str]]


def load(name: str, target: str) -> Command:
    """The command ``target`` (``module:attribute``: a Typer app or a function) mounted under ``name``."""
    module, attribute = target.split(":")
    found = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer()
    if isinstance(found, typer.Typer):
        holder.add_typer(found, name=name)
    else:
        holder.command(name)(found)
    return typer.main.get_group(holder).commands[name]


class LazyGroup(TyperGroup):
    """A Typer group with commands loaded on use (``lazy``), listed before the group's own."""

    lazy: ClassVar[Commands] = {}
    _listing = False

    def list_commands(self, ctx: Context) -> list[str]:
        return [*self.lazy, *super().list_commands(ctx)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        if self._listing:
            # the group's help lists the command by its help; nothing is imported
            return TyperCommand(cmd_name, help=self.lazy[cmd_name][1])
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load(cmd_name, self.lazy[cmd_name][0])
        return self.commands[cmd_name]

    def format_help(self, ctx: Context, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def lazy_group(commands: Commands, base: type[LazyGroup] = LazyGroup) -> type[LazyGroup]:
    """A ``LazyGroup`` class (for ``typer.Typer(cls=...)``) with ``commands``."""
    return type("LazyGroup", (base,), {"lazy": commands})
