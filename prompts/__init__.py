"""Prompt templates (text files beside this module) and their loader.

Templates use `$name` placeholders (string.Template), so braces in the text need no escaping
and a missing value fails loudly instead of printing a placeholder.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template


@cache
def template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath(f"{name}.txt").read_text(encoding="utf-8"))


def render(name: str, **values: str) -> str:
    return template(name).substitute(**values)
