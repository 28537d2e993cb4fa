"""The panel's guard runs, timed: ``python -m tests.panel.bench [--profile P] [NAME ...]``.

One row per library: the ids that ran, the ones that failed, the wall time of
``check_implementation`` (a benchmark, not a timed test). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import time

from recmech.properties.guard.run import check_implementation
from tests.panel import float32_lstsq, linprog_mechanism, norms, numpy_lstsq, scipy_lstsq

__all__ = ["PANEL", "main"]

PANEL = {
    "numpy.linalg.lstsq": (numpy_lstsq, "least_squares"),
    "scipy.linalg.lstsq gelsd": (scipy_lstsq.gelsd, "least_squares"),
    "scipy.linalg.lstsq gelsy": (scipy_lstsq.gelsy, "least_squares"),
    "scipy.linalg.lstsq gelss": (scipy_lstsq.gelss, "least_squares"),
    "numpy.linalg.lstsq float32": (float32_lstsq, "least_squares"),
    "numpy.linalg.norm(ord=2)": (norms.numpy_norm, "spectral_norm"),
    "scipy.sparse.linalg.svds(k=1)": (norms.svds_norm, "spectral_norm"),
    "scipy.linalg.interpolative.estimate_spectral_norm": (norms.interpolative_norm,
                                                          "spectral_norm"),
    "linprog highs-ipm": (linprog_mechanism.highs_ipm, "latent_mechanism"),
    "linprog highs-ds": (linprog_mechanism.highs_ds, "latent_mechanism"),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick", choices=("quick", "thorough"))
    parser.add_argument("names", nargs="*", help="panel rows (default: all)")
    args = parser.parse_args(argv)
    print("| library | part | ids run | failed | seconds |\n|---|---|---|---|---|")
    for name in args.names or list(PANEL):
        impl, part = PANEL[name]
        start = time.perf_counter()
        results = check_implementation(impl, profile=args.profile, on_fail=None)
        seconds = time.perf_counter() - start
        ran = [r for r in results if r.status != "skipped"]
        failed = [r.claim_id for r in ran if r.status == "failed"]
        print(f"| {name} | `{part}` | {len(ran)} | {', '.join(failed) or 'none'} | "
              f"{seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
