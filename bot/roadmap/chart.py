"""The capacity picture: users each tier can serve now and after each stage, against the target.

Two steps, both pure. `chart_data` reads the figures off a roadmap (and the monthly budget from the answers) into a
small picklable value; `render_png` draws that value with matplotlib's object API on the Agg canvas (no pyplot, no
global figure state, nothing shown on a screen) and returns PNG bytes. The drawing is CPU-bound (~100 ms), so the
bot runs it in the compute pool, never on the event loop. `alt_text` says what the picture shows, in words, for
screen readers and for anyone who cannot see the image.
"""

from __future__ import annotations

import importlib.util
import io
import re
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import get_args

from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from bot.i18n import Language, count, t
from bot.roadmap.numbers import money
from bot.roadmap.schema import CapacityPoint, Roadmap, Tier

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ALT_TEXT_MAX = 1000  # Slack's limit for a file's alt text (files.getUploadURLExternal `alt_txt`)
_TIER_COLOURS = {"app": "#4e79a7", "database": "#f28e2b", "network": "#59a14f", "contention": "#b07aa1"}
_BINDING = "#d62728"
_TARGET = "#2ca02c"


@dataclass(frozen=True)
class ChartData:
    """Everything the picture shows, as plain values: what the tests check and the worker process receives.

    ``points`` are "now" then after each stage; ``tier_users[tier][i]`` is what that tier serves at point i (None
    where the roadmap does not model it there); ``users[i]`` is the system's capacity (the tightest tier);
    ``budget`` is the monthly budget, set only when it binds (the plan held items back for it).
    """

    lang: Language
    system: str
    title: str
    points: tuple[str, ...]
    users: tuple[int, ...]
    binding: tuple[Tier, ...]
    tier_users: tuple[tuple[Tier, tuple[int | None, ...]], ...]
    target: int
    current: int
    monthly_cost: tuple[float, ...]  # cumulative added monthly cost (top of its range) at each point
    currency: str
    budget: float | None
    held_back: tuple[bool, ...]  # whether the stage ending at each point held items back for the budget

    def series(self, tier: Tier) -> tuple[int | None, ...]:
        return dict(self.tier_users)[tier]


def tier_label(lang: Language, tier: Tier) -> str:
    labels = {
        "app": t(lang, "app servers"),
        "database": t(lang, "database"),
        "network": t(lang, "network / static delivery"),
        "contention": t(lang, "lock contention (hot rows)"),
    }
    return labels[tier]


def chart_data(
    roadmap: Roadmap, *, lang: Language, budget: float | None = None, budget_currency: str | None = None
) -> ChartData:
    """The roadmap's capacity figures, as the chart draws them.

    `budget` is the team's monthly budget in `budget_currency` (from their answers); it is drawn only when the plan
    bound on it, i.e. some item waits for budget, and only when it is in the currency the costs are priced in.
    """
    summary = roadmap.summary
    capacity: list[CapacityPoint] = [summary.capacity_now, *(s.capacity_after for s in roadmap.stages)]
    points = (t(lang, "Now"), *(t(lang, "After stage {number}", number=s.number) for s in roadmap.stages))
    modelled = [tier for tier in get_args(Tier) if any(tier in p.tier_users for p in capacity)]
    tier_users = tuple((tier, tuple(p.tier_users.get(tier) for p in capacity)) for tier in modelled)
    held = (False, *(any(i.deferred for i in s.items) for s in roadmap.stages))
    currency = next((i.cost.currency for i in roadmap.items()), budget_currency or "USD")
    binds = budget is not None and any(held) and (budget_currency in (None, currency))
    return ChartData(
        lang=lang,
        system=roadmap.system_name,
        title=t(lang, "{system}: concurrent users each tier can serve", system=roadmap.system_name),
        points=points,
        users=tuple(p.users for p in capacity),
        binding=tuple(p.binding_tier for p in capacity),
        tier_users=tier_users,
        target=summary.target_users,
        current=summary.current_users,
        monthly_cost=tuple(p.monthly_cost.high for p in capacity),
        currency=currency,
        budget=float(budget) if binds and budget is not None else None,
        held_back=held,
    )


def roadmap_chart_data(roadmap: Roadmap, profile: object | None, *, lang: Language) -> ChartData:
    """`chart_data` with the budget read from the answers (a SystemProfile), when there are any."""
    budget = getattr(profile, "budget", None)
    amount = getattr(budget, "monthly_amount", None)
    return chart_data(
        roadmap,
        lang=lang,
        budget=float(amount) if amount is not None else None,
        budget_currency=getattr(budget, "currency", None),
    )


@cache
def korean_font() -> str | None:
    """NanumGothic (SIL Open Font License) from the koreanize-matplotlib package, registered with matplotlib once.

    The package is located, not imported: importing it would change matplotlib's global settings. Without it,
    Hangul would be drawn as empty boxes, so the chart then falls back to the default font and says so in the log.
    """
    spec = importlib.util.find_spec("koreanize_matplotlib")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / "fonts" / "NanumGothic.ttf"
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    return None


_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")


def _families(data: ChartData) -> list[str]:
    """The Korean font first in Korean; in English only as the fallback for a Korean system name (every font in
    the list is measured for every label, so an English chart without Hangul does not carry it)."""
    korean = korean_font()
    if korean is None:
        return ["DejaVu Sans"]
    if data.lang == "ko":
        return [korean, "DejaVu Sans"]
    return ["DejaVu Sans", korean] if _HANGUL.search(data.system) else ["DejaVu Sans"]


def _users_axis(lang: Language) -> FuncFormatter:
    return FuncFormatter(lambda value, _pos: count(lang, value) if value >= 1 else "")


def render_png(data: ChartData) -> bytes:
    """The chart as PNG bytes (800 x 560 pixels)."""
    with rc_context({"font.family": _families(data), "axes.unicode_minus": False}):
        out = io.BytesIO()
        # zlib level 1: flat colours compress almost as well, and the encoder took a fifth of the time at level 6
        build_figure(data).savefig(out, format="png", pil_kwargs={"compress_level": 1})
        return out.getvalue()


def build_figure(data: ChartData) -> Figure:
    """The figure on an Agg canvas, not yet drawn (tests read the plotted series from it)."""
    lang = data.lang
    # Fixed margins rather than a layout engine: constrained layout measured every label twice (~0.35 s a chart).
    figure = Figure(figsize=(8, 5.6), dpi=100)
    FigureCanvasAgg(figure)
    users_ax, cost_ax = figure.subplots(
        2,
        1,
        sharex=True,
        gridspec_kw={"height_ratios": (3, 1), "left": 0.11, "right": 0.72, "top": 0.93, "bottom": 0.08, "hspace": 0.08},
    )
    xs = list(range(len(data.points)))

    for tier, values in data.tier_users:
        shown = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        users_ax.plot(
            [x for x, _ in shown],
            [v for _, v in shown],
            marker="o",
            linewidth=1.5,
            alpha=0.75,
            color=_TIER_COLOURS[tier],
            label=tier_label(lang, tier),
            gid=f"tier:{tier}",
        )
    users_ax.plot(
        xs,
        data.users,
        color="black",
        linewidth=3,
        marker="s",
        label=t(lang, "users served (tightest tier)"),
        gid="users",
    )
    for x, (tier, served) in enumerate(zip(data.binding, data.users, strict=True)):
        users_ax.scatter(
            [x],
            [served],
            s=260,
            facecolors="none",
            edgecolors=_BINDING,
            linewidths=2.5,
            zorder=5,
            gid=f"binding:{tier}",
        )
        users_ax.annotate(
            f"{count(lang, served)}\n" + "\n".join(textwrap.wrap(tier_label(lang, tier), 14)),
            (x, served),
            textcoords="offset points",
            xytext=(0, -30),
            ha="center",
            va="top",
            fontsize=7,
            color=_BINDING,
        )
    users_ax.axhline(data.target, color=_TARGET, linestyle="--", linewidth=2, gid="target")
    users_ax.annotate(
        t(lang, "target {users}", users=count(lang, data.target)),
        (0, data.target),
        textcoords="offset points",
        xytext=(-20, 4),
        color=_TARGET,
        fontsize=9,
    )
    users_ax.axhline(data.current, color="grey", linestyle=":", linewidth=1.5)
    users_ax.annotate(
        t(lang, "users today {users}", users=count(lang, data.current)),
        (1.0, data.current),
        xycoords=users_ax.get_yaxis_transform(),  # just right of the plot, clear of the points' labels
        textcoords="offset points",
        xytext=(4, -3),
        ha="left",
        color="grey",
        fontsize=8,
    )
    everything = [v for _, values in data.tier_users for v in values if v] + [data.target, data.current]
    users_ax.set_yscale("log")
    users_ax.set_ylim(min(everything) / 8, max(everything) * 2.5)
    users_ax.yaxis.set_major_locator(LogLocator(base=10, numticks=8))
    users_ax.yaxis.set_minor_locator(NullLocator())  # no minor ticks: each is a text measured on every draw
    users_ax.yaxis.set_major_formatter(_users_axis(lang))
    users_ax.set_ylabel(t(lang, "concurrent users"))
    users_ax.set_title(data.title, fontsize=11)
    users_ax.grid(True, which="major", axis="y", alpha=0.3)
    users_ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8, frameon=False)

    colours = ["#c7c7c7" if not held else "#ff9896" for held in data.held_back]
    cost_ax.bar(xs, data.monthly_cost, color=colours, width=0.5, gid="cost")
    if data.budget is not None:
        cost_ax.axhline(data.budget, color=_BINDING, linestyle="--", linewidth=2, gid="budget")
        cost_ax.annotate(
            t(lang, "budget {amount}/month (binds)", amount=money(data.budget, data.currency)),
            (0, data.budget),
            textcoords="offset points",
            xytext=(-20, -12),
            color=_BINDING,
            fontsize=8,
        )
        cost_ax.set_ylim(0, max([data.budget, *data.monthly_cost]) * 1.25)
    if any(data.held_back):  # say what the red bars mean, beside the chart like the tiers' legend
        held = Patch(color="#ff9896", label=t(lang, "a stage that held items back for the budget"))
        cost_ax.legend(handles=[held], loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=7, frameon=False)
    cost_ax.set_ylabel(t(lang, "added / month ({currency})", currency=data.currency), fontsize=7)
    cost_ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: count(lang, value) if value else "0"))
    cost_ax.tick_params(axis="y", labelsize=7)
    cost_ax.set_xticks(xs, data.points)
    cost_ax.grid(True, axis="y", alpha=0.3)
    return figure


def alt_text(data: ChartData) -> str:
    """The chart in words: capacity and its limit at each point, the target, and the budget where it binds."""
    lang = data.lang
    steps = [
        t(
            lang,
            "{point}: {users} users, limited by {tier}",
            point=point,
            users=count(lang, users),
            tier=tier_label(lang, tier),
        )
        for point, users, tier in zip(data.points, data.users, data.binding, strict=True)
    ]
    reached = next((p for p, u in zip(data.points, data.users, strict=True) if u >= data.target), None)
    verdict = (
        t(lang, "The target of {target} users is reached: {point}.", target=count(lang, data.target), point=reached)
        if reached
        else t(lang, "The target of {target} users is not reached.", target=count(lang, data.target))
    )
    parts = [
        t(lang, "Capacity chart for {system}.", system=data.system),
        "; ".join(steps) + ".",
        verdict,
        t(
            lang,
            "The plan adds up to {cost} a month.",
            cost=money(max(data.monthly_cost), data.currency),
        ),
    ]
    if data.budget is not None:
        parts.append(
            t(
                lang,
                "The budget of {budget} a month binds: items were held back for it.",
                budget=money(data.budget, data.currency),
            )
        )
    text = " ".join(parts)
    return text if len(text) <= ALT_TEXT_MAX else text[: ALT_TEXT_MAX - 1].rsplit(" ", 1)[0] + "…"
