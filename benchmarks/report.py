"""The issue's targets, and the Markdown table that marks each one met or missed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Figures = dict[str, Any]


@dataclass(frozen=True)
class Target:
    section: str
    label: str
    value: Callable[[Figures], Any]  # the figure(s) shown, from the section's figures
    goal: str
    met: Callable[[Figures], bool]


def _polling(key: str) -> Callable[[Figures], Any]:
    return lambda f: (f"{f[key]['gets_per_job_p50']} GETs/job (p95 {f[key]['gets_per_job_p95']}),"
                      f" delay p50 {f[key]['detect_delay_p50_s']} s, "
                      f"p95 {f[key]['detect_delay_p95_s']} s")


def _delay_ok(figures: Figures) -> bool:
    return bool(figures["detect_delay_p95_s"] <= 2.0)


def _over(f: Figures, key: str) -> str:
    seconds = f[key]["seconds"]
    return f"{seconds} s ({(seconds / f['lower_bound_s'] - 1) * 100:+.1f}% vs bound)"


TARGETS = (
    Target("polling", "lumaflow, latency 30–60 s", _polling("lumaflow"),
           "≤ 10 GETs/job p50 and delay p95 ≤ 2.0 s",
           lambda f: f["lumaflow"]["gets_per_job_p50"] <= 10 and _delay_ok(f["lumaflow"])),
    Target("polling", "naive_2s (baseline)", _polling("naive_2s"), "—", lambda f: True),
    Target("polling", "naive_1s (baseline)", _polling("naive_1s"), "—", lambda f: True),
    Target("polling", "quickstart: 20 s, then every 2 s (baseline)",
           _polling("quickstart_20s_2s"), "—", lambda f: True),
    Target("polling_other", "lumaflow, latency 10–40 s", _polling("10-40"),
           "delay p95 ≤ 2.0 s", lambda f: _delay_ok(f["10-40"])),
    Target("polling_other", "lumaflow, latency 60–120 s", _polling("60-120"),
           "delay p95 ≤ 2.0 s", lambda f: _delay_ok(f["60-120"])),
    Target("makespan", "lower bound", lambda f: f"{f['lower_bound_s']} s", "—", lambda f: True),
    Target("makespan", "lumaflow (default options)", lambda f: _over(f, "lumaflow"),
           "within 10% of the lower bound",
           lambda f: f["lumaflow"]["seconds"] <= 1.1 * f["lower_bound_s"]),
    Target("makespan", "naive_sequential (baseline)", lambda f: _over(f, "naive_sequential"),
           "—", lambda f: True),
    Target("makespan", "sdk_retry (baseline)", lambda f: _over(f, "sdk_retry"), "—",
           lambda f: True),
    Target("chain_bytes", "lumaflow, bytes uploaded",
           lambda f: f"{f['lumaflow']:,} (source as base64: "
                     f"{f['source_base64_bytes']:,})",
           "the source once (+ < 1% for the JSON around it)",
           lambda f: f["lumaflow_overhead_bytes"] < 0.01 * f["source_base64_bytes"]),
    Target("chain_bytes", "reupload (baseline)",
           lambda f: f"{f['reupload']:,}", "—", lambda f: True),
    Target("check", "recipes checked per second", lambda f: f"{f['recipes_per_s']}/s "
           f"({f['recipes_per_cpu_s']} per CPU-second)", "≥ 500/s",
           lambda f: f["recipes_per_s"] >= 500),
    Target("check", "`lumaflow --version`", lambda f: f"{f['cli_startup_s']} s "
           f"(CPU {f['cli_startup_cpu_s']} s; bare python {f['python_startup_s']} s)", "—",
           lambda f: True),
    Target("check", "`lumaflow check` one example", lambda f: f"{f['cli_check_s']} s "
           f"(CPU {f['cli_check_cpu_s']} s)", "< 0.3 s", lambda f: f["cli_check_s"] < 0.3),
    Target("simulator", "served simulator, 1000 active jobs",
           lambda f: f"{f['gets_per_s']} GETs/s, p99 {f['p99_ms']} ms",
           "≥ 1000 GETs/s and p99 < 50 ms",
           lambda f: f["gets_per_s"] >= 1000 and f["p99_ms"] < 50),
    Target("simulator", "the same, polled by httpx clients",
           lambda f: f"{f['httpx_client']['gets_per_s']} GETs/s, "
                     f"p99 {f['httpx_client']['p99_ms']} ms (client CPU "
                     f"{f['httpx_client']['load_generator_cpu_s']} s, server "
                     f"{f['httpx_client']['server_cpu_s']} s)", "—", lambda f: True),
)


def verdicts(figures: Figures) -> list[tuple[Target, bool]]:
    """Each target whose section was measured, with whether it was met."""
    return [(t, t.met(figures[t.section])) for t in TARGETS if t.section in figures]


def table(figures: Figures) -> str:
    """The Markdown table: one row a figure, its target, and met / missed."""
    rows = ["| section | figure | value | target | result |", "|---|---|---|---|---|"]
    for target, met in verdicts(figures):
        shown = target.value(figures[target.section])
        result = "—" if target.goal == "—" else ("met" if met else "**missed**")
        rows.append(f"| {target.section} | {target.label} | {shown} | {target.goal} | {result} |")
    return "\n".join(rows) + "\n"
