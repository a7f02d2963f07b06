"""Run the benchmarks and write bench/RESULTS.md.

    pip install -e '.[bench]'   # specclient and the peers: openapi-core, bravado-core, aiopenapi3
    python bench/run.py              # all benches (several minutes); --quick for a smoke run
    python bench/run.py overhead startup   # some of them

Every figure is printed with its baseline, measured in the same run, and the ratio.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from bench.common import Figure, fmt, machine, versions  # noqa: E402

BENCHES = ["overhead", "throughput", "startup", "scaling", "memory", "async", "openapi"]
TITLES = {
    "overhead": "1. Per-call overhead, no network (bind + build + validate + sign + prepare)",
    "throughput": "2. Throughput on a real socket (keep-alive HTTP/1.1 server on 127.0.0.1)",
    "startup": "3. Start-up (`specclient call thirdwatch.order_status --dry-run --example`)",
    "scaling": "4. Scaling with the size of the spec folder",
    "memory": "5. Memory with 10,000 operations",
    "async": "6. Async client and batch engine (loopback server in its own process)",
    "openapi": "7. Real public OpenAPI documents (GitHub, Stripe): import, list, lint, coverage",
}


def table(figs: list[Figure]) -> list[str]:
    rows = ["| measured | value | baseline | baseline value | ratio | target |",
            "|---|---:|---|---:|---:|---|"]
    for f in figs:
        if f.note.startswith("skipped"):
            rows.append(f"| {f.what} | - | | | | {f.note} |")
            continue
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else ""
        target = f"{f.target} {'met' if f.met else 'NOT MET'}" if f.target else ""
        if f.note:
            target = f"{target} ({f.note})" if target else f.note
        base = fmt(f.baseline_value, f.unit) if f.baseline_value is not None else ""
        rows.append(f"| {f.what} | {fmt(f.value, f.unit)} | {f.baseline} | {base} | {ratio} "
                    f"| {target} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("benches", nargs="*", choices=[[], *BENCHES], metavar="BENCH",
                    help=f"which to run (default all): {', '.join(BENCHES)}")
    ap.add_argument("--quick", action="store_true", help="few repetitions (a smoke test)")
    ap.add_argument("--output", default=os.path.join(HERE, "RESULTS.md"),
                    help="where to write the results (default bench/RESULTS.md)")
    args = ap.parse_args(argv)
    chosen = args.benches or BENCHES
    where = machine()
    print(f"Machine: {where}\n")
    sections = []
    for name in chosen:
        print(TITLES[name], flush=True)
        mod = importlib.import_module(f"bench.bench_{name}")
        figs = mod.run(quick=args.quick)
        doc = (mod.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        sections.append((name, doc, figs))
        print()
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmark results", "",
             "Written by `python bench/run.py`" + (" --quick" if args.quick else "")
             + f" on {now}.", "", f"- Machine: {where}",
             "- Versions: " + versions("specclient", "requests", "jsonschema", "orjson",
                                       "pyyaml", "openapi-core", "bravado-core", "aiopenapi3",
                                       "fastjsonschema"),
             "",
             "Ratios are value / baseline, both measured in the same run (interleaved).", ""]
    for name, doc, figs in sections:
        lines += [f"## {TITLES[name]}", "", doc, "", *table(figs), ""]
    with open(args.output, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    print(f"Wrote {args.output}")
    missed = [f for _, _, figs in sections for f in figs if f.target and not f.met]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
