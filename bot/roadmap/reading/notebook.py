"""What one read of the answers has found so far; each step writes its facts and readings here."""

from __future__ import annotations

from typing import Any

from bot.roadmap.reading.answers import Answer
from bot.roadmap.reading.facts import ArchitectureFacts, Fact, Reading


class Notebook:
    """One read of the answers: each step adds facts, ArchitectureFacts fields and the readings behind them."""

    def __init__(self, fields: dict[str, Answer]) -> None:
        self.fields = fields
        self.facts: set[Fact] = set()
        self.absent: set[Fact] = set()
        self.readings: list[Reading] = []
        self.values: dict[str, Any] = {}

    def read(self, name: str, value: object, source: str, note: str = "") -> None:
        self.readings.append(Reading(name, value, source, note))

    def result(self) -> ArchitectureFacts:
        # One server: said so, or no count given and nothing that runs several (a cluster, a balancer, autoscaling).
        several = self.facts & {Fact.KUBERNETES, Fact.HAS_LOAD_BALANCER, Fact.HAS_AUTOSCALING} or self.values.get(
            "app_hosting"
        ) in ("kubernetes", "containers", "serverless")
        if self.values["app_servers"] <= 1 and (self.values["app_servers_stated"] or not several):
            self.facts.add(Fact.SINGLE_SERVER)
        return ArchitectureFacts(
            facts=frozenset(self.facts),
            absent=frozenset(self.absent - self.facts),
            readings=tuple(self.readings),
            **self.values,
        )
