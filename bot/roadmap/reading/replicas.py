"""Read replicas and standbys: a standby serves no reads, so it is never counted as a replica."""

from __future__ import annotations

from bot.roadmap.reading.answers import ARCH_FIELDS, Answer
from bot.roadmap.reading.counts import Count, resolve_role
from bot.roadmap.reading.phrases import is_negated, is_wanted
from bot.roadmap.reading.quotes import excerpt
from bot.roadmap.reading.tokens import words_before
from bot.roadmap.reading.vocabulary import kind_of_noun, read_mark


def read_replicas(
    fields: dict[str, Answer], counts: dict[str, list[Count]]
) -> tuple[tuple[int, str], tuple[int, str], tuple[str, str]]:
    """((read replicas, quote), (standbys, quote), notes): a standby serves no reads, so it is never a replica.

    A quote with a count of 0 means the team said there are none ("no replicas", "레플리카 없음").
    """
    counted = {"replica": (0, ""), "standby": (0, "")}
    for name in ARCH_FIELDS:
        for c in counts[name]:
            if c.role in counted and (c.number.value > counted[c.role][0] or not counted[c.role][1]):
                counted[c.role] = (round(c.number.value), c.source)
    mentioned: dict[str, tuple[int, str]] = {}
    denied: dict[str, str] = {}
    replica_set: tuple[int, str] | None = None
    secondary_reads = False
    for name in ARCH_FIELDS:
        f = fields[name]
        toks = f.toks
        for i, tok in enumerate(toks):
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            kind = kind_of_noun(tok)
            if (
                tok.low in ("multi-az", "multiaz")
                or (tok.low == "multi" and nxt is not None and nxt.low == "az")
                or (name == "database" and tok.kind == "kw" and "이중화" in tok.text)
            ):
                kind = "standby"
            if kind not in ("replica", "standby"):
                if tok.low in ("readpreference", "secondarypreferred") or (
                    tok.low == "read" and nxt is not None and nxt.low in ("preference", "concern")
                ):
                    secondary_reads = True
                continue
            if tok.low in ("replica", "replicas") and nxt is not None and nxt.low == "set":
                nodes = [c for c in counts[name] if c.role == "database"]
                replica_set = (
                    round(max(c.number.value for c in nodes)) if nodes else 3,
                    excerpt(f.text, tok.start, nxt.end),
                )
                continue
            role = resolve_role(kind, [*words_before(toks, i, 2), tok], None) or kind
            if role == "standby" and kind == "standby":
                # "standby used for reads": a readable standby is a replica; "serves no reads" is not.
                for k in range(i + 1, min(len(toks), i + 6)):
                    if (
                        toks[k].clause != tok.clause
                        or toks[k].low in ("and", "plus", "+", "with")
                        or toks[k].kind == "num"
                    ):
                        break
                    follows = toks[k + 1] if k + 1 < len(toks) else None
                    if (
                        read_mark(toks[k])
                        and kind_of_noun(toks[k]) is None
                        and not is_negated(f.lowered, toks[k].start, toks[k].end)
                        and not (follows is not None and kind_of_noun(follows) == "replica")
                    ):
                        role = "replica"
                        break
            quote = excerpt(f.text, tok.start, tok.end)
            if is_negated(f.lowered, tok.start, tok.end):
                denied.setdefault(role, quote)
            elif not is_wanted(f.lowered, tok.start, tok.end) and role not in mentioned:
                plural = tok.low.endswith(("s", "ies")) and tok.low not in ("multi-az", "multiaz")
                mentioned[role] = (2 if plural and role == "replica" else 1, quote)
    notes = {"replica": "", "standby": STANDBY_NOTE}
    if replica_set is not None:
        secondaries = max(0, replica_set[0] - 1)
        role = "replica" if secondary_reads else "standby"
        if counted[role][0] == 0:
            counted[role] = (secondaries, replica_set[1])
            notes[role] = (
                "secondaries that serve reads (read preference)"
                if secondary_reads
                else "a replica set's secondaries: failover copies unless reads are sent to them"
            )
    result: dict[str, tuple[int, str]] = {}
    for role in ("replica", "standby"):
        if counted[role][1]:
            result[role] = counted[role]
        elif role in mentioned:
            result[role] = mentioned[role]
            if role == "replica" and mentioned[role][0] == 2:
                notes[role] = "replicas in the plural, no count written: read as 2"
        elif role in denied:
            result[role] = (0, denied[role])
        else:
            result[role] = (0, "")
    return result["replica"], result["standby"], (notes["replica"], notes["standby"])


STANDBY_NOTE = "a failover copy: it serves no reads, so it is not counted as a read replica"
