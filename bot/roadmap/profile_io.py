"""Reading a profile from a file and explaining validation errors field by field."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.roadmap.schema import SystemProfile


class ProfileError(Exception):
    """A profile that cannot be used; `problems` names each bad field."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems


def field_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """(dotted field path, message) pairs; model-level errors get the field they are about."""
    result: list[tuple[str, str]] = []
    for error in exc.errors():
        path = ".".join(str(p) for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if not path and message.startswith("target_users"):
            path = "target_users"
        result.append((path or "profile", message))
    return result


def parse_profile(data: object, source: str = "profile") -> SystemProfile:
    if not isinstance(data, dict):
        raise ProfileError(source, ["expected a mapping of questionnaire fields (see `scale-review example`)"])
    try:
        return SystemProfile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(source, [f"{path}: {message}" for path, message in field_errors(exc)]) from None


def load_profile(path: Path) -> SystemProfile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(str(path), [f"cannot read the file ({exc.strerror})"]) from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        raise ProfileError(str(path), [f"not valid {kind}: {exc}"]) from None
    return parse_profile(data, str(path))
