"""Rendering one roadmap: the capacity chart (inline and in the compute pool), the Slack messages, the exports.

Goals (issue 16): chart < 150 ms in the pool, messages < 5 ms. Wall-clock figures move with whatever else runs on the
machine, so the chart's and the messages' CPU time is printed too. The pool figure is what the bot waits for: the
drawing in a worker process plus the trip there and back (the chart data out, ~60 KB of PNG back), measured
after the worker has drawn once (the first chart loads the fonts). Prints the median and p95 of each.

Run: python benchmarks/bench_render.py [--profile examples/community.yaml] [--repeat 20]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import inspect
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot import i18n
from bot.engines.compute import ProcessCompute
from bot.engines.fallback import generate_with_fallback
from bot.engines.rules import RulesEngine
from bot.roadmap import chart, export
from bot.roadmap.profile_io import load_profile
from bot.services.exports import roadmap_language
from bot.slack import render as rendering

ROOT = Path(__file__).resolve().parent.parent


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (n={len(ordered)})"


def _time(fn: Callable[[], Any], repeat: int, clock: Callable[[], float] = time.perf_counter) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = clock()
        fn()
        samples.append(clock() - started)
    return samples


async def _pool_samples(data: chart.ChartData, repeat: int) -> tuple[float, list[float]]:
    compute = ProcessCompute(1)
    try:
        await compute.start()
        started = time.perf_counter()
        await compute(chart.render_png, data, bulk=True)  # the worker's first chart: fonts and matplotlib load
        first = time.perf_counter() - started
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            png = await compute(chart.render_png, data, bulk=True)
            samples.append(time.perf_counter() - started)
            assert png.startswith(chart.PNG_MAGIC)
        return first, samples
    finally:
        compute.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=Path, default=ROOT / "examples" / "community.yaml")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    profile = load_profile(args.profile)
    # the language is chosen before the engine runs, as the CLI and the bot choose it
    profile = profile.model_copy(update={"language": i18n.choose(profile.language, i18n.of_answers(profile))})
    # as the bot makes it: the rules engine, then the catalogue's texts in the review's language
    roadmap = asyncio.run(generate_with_fallback(RulesEngine(), None, profile)).roadmap
    lang = roadmap_language(roadmap, profile)
    items = sum(1 for _ in roadmap.items())
    print(f"{roadmap.system_name} ({args.profile.name}): {items} items, language {lang}")

    data = chart.roadmap_chart_data(roadmap, profile, lang=lang)
    started = time.perf_counter()
    png = chart.render_png(data)
    first_ms = (time.perf_counter() - started) * 1000
    print(f"chart, inline, first in this process: {first_ms:7.1f} ms ({len(png):,} bytes)")
    print(f"chart, inline:                    {_ms(_time(lambda: chart.render_png(data), args.repeat))}")
    # CPU time of the same work: what the chart costs a core, whatever else the machine is running
    cpu = _time(lambda: chart.render_png(data), args.repeat, time.process_time)
    print(f"chart, inline, CPU time:          {_ms(cpu)}")
    first, pooled = asyncio.run(_pool_samples(data, args.repeat))
    print(f"chart, compute pool, first:       {first * 1000:7.1f} ms")
    print(f"chart, compute pool:              {_ms(pooled)}   goal < 150 ms")

    accepted = inspect.signature(rendering.roadmap_messages).parameters
    extra = {"lang": lang} if "lang" in accepted else {}  # the language work adds the roadmap's language
    render = functools.partial(rendering.roadmap_messages, roadmap, version=1, version_id=1, statuses={}, **extra)
    count = len(render())
    print(f"messages ({count}):                    {_ms(_time(render, args.repeat * 10))}   goal < 5 ms")
    print(f"messages, CPU time:               {_ms(_time(render, args.repeat * 10, time.process_time))}")
    for fmt in export.FORMATS:
        samples = _time(lambda fmt=fmt: export.render(roadmap, fmt, {}, lang=lang), args.repeat * 10)
        print(f"export {fmt:<4}                      {_ms(samples)}")


if __name__ == "__main__":
    main()
