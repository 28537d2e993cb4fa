"""Differential judgements of the linear-algebra parts: least squares, spectral norm, influence.

Each outside answer is compared with the reference's on the same input, within the accuracy a
correct floating-point computation attains (u = 2^-53 the unit roundoff):

- ``least_squares(B, Y)`` (proof of Thm. 2: z_hat = argmin ||B z - y||_2, unclipped). definition:
For B of
  full column rank (kappa = sigma_max / sigma_min < 1 / (max(l, k) u)), per column,
  ||z_out - z_ref||_2 <= 20 l k u kappa (||z|| + ||y|| / sigma_max + kappa ||r|| / sigma_max),
  r = y - B z: Higham, Accuracy and Stability, Thm. 20.3 (Householder QR is backward stable
  with backward error c l k u) with the perturbation bound of Thm. 20.1, doubled for the two
  solvers compared. A solver through the normal equations loses a further factor kappa and fails
  on ill-conditioned blocks (list ``part.least_squares`` in an xfails file if that is meant).
  definition: For B of lower numerical rank the argmin is not unique: a ValueError or LinAlgError is
  accepted, and an answer must satisfy the normal equations,
  ||B^T (B z - y)||_2 <= 20 l k u sigma_max (sigma_max ||z|| + ||y||).
- definition: ``spectral_norm(M)`` (Def. 2's ||INF(X)||_2): |s_out - s_ref| <= 64 max(n, m) u
||M||_2 (a
  backward-stable SVD returns the singular values of M + E, ||E||_2 <= c max(n, m) u ||M||_2,
  and singular values move by at most ||E||_2).
- definition: ``influence_matrix(law)`` (Def. 2): every entry |alpha_out - alpha_ref| <= 64 s u, s
the
  support size (an entry is a total variation distance of two conditional laws, sums of at most
  s probabilities in [0, 1], each rounded once when normalised).

Inputs excite the faults the guard has seen: k = 1 and square blocks (where a transposed
triangular solve is still right), non-normal and asymmetric matrices (where a spectral radius or
a transposed influence matrix is still right for symmetric ones), singular values spread over
up to 12 decades, scales from 1e-6 to 1e6, rank-deficient blocks, laws with partial support and
asymmetric dependence; then a hypothesis search targets the ratio difference / tolerance.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from recmech.core.influence import FiniteJointLaw, influence_matrix
from recmech.properties.claims.verdict import Verdict
from recmech.properties.guard.parts.registry import Worst, part_size, register_part
from recmech.properties.judging.profiles import Budget
from recmech.properties.judging.tolerances import U, tolerance
from recmech.properties.subject.calls import PartError
from recmech.properties.subject.resolved import Subject

__all__ = ["influence_cases", "judge_influence_matrix", "judge_least_squares",
           "judge_spectral_norm", "least_squares_cases", "least_squares_score",
           "spectral_cases"]



# -- least squares -----------------------------------------------------------------------------

def _with_singular_values(gen: np.random.Generator, l_rows: int, k: int,
                          s: np.ndarray) -> np.ndarray:
    u, _ = np.linalg.qr(gen.standard_normal((l_rows, k)))
    v, _ = np.linalg.qr(gen.standard_normal((k, k)))
    return (u * s) @ v.T


def least_squares_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Fixed fault-exciting inputs (label, B, Y)."""
    gen = np.random.default_rng(20221)
    out = [
        ("k = 1", np.array([[1.0], [2.0], [-0.5]]), np.array([0.3, -1.0, 2.0])),
        ("square, non-symmetric", np.array([[2.0, 1.0, 0.0], [-1.0, 3.0, 0.5],
                                            [0.2, -0.4, 1.0]]), np.array([1.0, -2.0, 0.5])),
        ("non-normal, tall", np.array([[1.0, 100.0, 0.0], [0.0, 1.0, 100.0], [0.0, 0.0, 1.0],
                                       [1.0, 1.0, 1.0]]), np.array([1.0, 0.0, -1.0, 2.0])),
        ("identity block", np.eye(3), np.array([0.2, 0.5, 0.9])),
        ("tall Gaussian, matrix Y", gen.standard_normal((9, 3)), gen.standard_normal((9, 4))),
        ("one column Y", gen.standard_normal((6, 2)), gen.standard_normal((6, 1))),
        ("consistent y", (b := gen.standard_normal((7, 3))), b @ np.array([0.1, 0.7, 0.4])),
        ("mixed signs +-1", 2.0 * gen.integers(0, 2, (12, 3)) - 1, gen.standard_normal(12)),
        ("scaled 1e6", 1e6 * gen.standard_normal((8, 3)), 1e-3 * gen.standard_normal(8)),
        ("scaled 1e-6", 1e-6 * gen.standard_normal((8, 2)), gen.standard_normal((8, 2))),
        ("kappa 1e4", _with_singular_values(gen, 10, 4, np.geomspace(1, 1e-4, 4)),
         gen.standard_normal(10)),
        ("kappa 1e6", _with_singular_values(gen, 10, 3, np.geomspace(1, 1e-6, 3)),
         gen.standard_normal((10, 2))),
        ("kappa 1e8", _with_singular_values(gen, 6, 2, np.array([1.0, 1e-8])),
         gen.standard_normal(6)),
        ("rank-deficient (repeated column)", np.array([[1.0, 1.0], [2.0, 2.0], [0.5, 0.5]]),
         np.array([1.0, 0.0, 1.0])),
        ("rank-deficient (zero column)", np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]]),
         np.array([1.0, 2.0, 2.0])),
        ("zero right-hand side", gen.standard_normal((5, 2)), np.zeros(5)),
        ("tiny block 1e-150", 1e-150 * gen.standard_normal((6, 2)), gen.standard_normal(6)),
        ("tall Gaussian 2000 x 8", gen.standard_normal((2000, 8)),
         gen.standard_normal((2000, 2))),
        ("kappa 1e10, 1500 x 5", _with_singular_values(gen, 1500, 5, np.geomspace(1, 1e-10, 5)),
         gen.standard_normal(1500)),
        ("clustered singular values, 1200 x 6",
         _with_singular_values(gen, 1200, 6, 1.0 - 1e-9 * np.arange(6)),
         gen.standard_normal(1200)),
        ("signed +-1, 1025 x 4", 2.0 * gen.integers(0, 2, (1025, 4)) - 1,
         gen.standard_normal(1025)),
        ("nearly rank-deficient 800 x 4",
         _with_singular_values(gen, 800, 4, np.array([2.0, 1.0, 0.5, 1e-13])),
         gen.standard_normal(800)),
    ]
    return [(label, np.asarray(B, dtype=float), np.asarray(Y, dtype=float))
            for label, B, Y in out]


@st.composite
def _least_squares_inputs(draw, large: bool = False):
    """Blocks from k x k to thousands of rows (``large``: the thorough profile's 1000 to 4000
    rows join), every kind of conditioning and sign."""
    seed = draw(st.integers(0, 2**32 - 1))
    gen = np.random.default_rng(seed)
    k = draw(st.integers(1, 8 if large else 5))
    extra = [0, 1, 2, 5, 12, 40, 200] + ([1000, 2500, 4000] if large else [])
    l_rows = k + draw(st.sampled_from(extra))
    kind = draw(st.sampled_from(["gaussian", "ill", "triangular", "signs", "identity"]))
    if kind == "ill":
        s = np.geomspace(1.0, 10.0 ** -draw(st.integers(1, 12)), k)
        if draw(st.booleans()):  # clustered singular values
            s = 1.0 - 1e-9 * np.arange(k) if k > 1 else s
        B = _with_singular_values(gen, l_rows, k, s)
    elif kind == "triangular":
        B = np.vstack([np.triu(gen.standard_normal((k, k)) * 10.0 ** draw(st.integers(0, 3)))
                       + np.eye(k), gen.standard_normal((l_rows - k, k))])
    elif kind == "signs":
        B = 2.0 * gen.integers(0, 2, (l_rows, k)) - 1
    elif kind == "identity":
        B = np.vstack([np.eye(k), gen.uniform(-1, 1, (l_rows - k, k))])
    else:
        B = gen.standard_normal((l_rows, k))
    B = B * 10.0 ** draw(st.integers(-6, 6))
    cols = draw(st.sampled_from([0, 1, 3]))
    Y = gen.standard_normal(l_rows if cols == 0 else (l_rows, cols))
    if draw(st.booleans()):  # a consistent right-hand side
        Y = B @ gen.uniform(-1, 1, (k,) if cols == 0 else (k, cols))
    return "search", B, Y * 10.0 ** draw(st.integers(-6, 6))


def least_squares_score(outside, B: np.ndarray, Y: np.ndarray) -> tuple[float, dict]:
    """(max over columns of difference / tolerance, detail) of the outside least squares on one
    input (module docstring)."""
    l_rows, k = B.shape
    s = np.linalg.svd(B, compute_uv=False)
    full_rank = l_rows >= k and s[-1] > s[0] * max(l_rows, k) * 2 * U
    try:
        z_out = np.asarray(outside(B, Y), dtype=float)
    except PartError as exc:
        if not full_rank and isinstance(exc.__cause__, (ValueError, np.linalg.LinAlgError)):
            return 0.0, {"accepted": f"raised on a rank-deficient block: {exc.problem}"}
        raise
    Z_out, Ym = z_out.reshape(k, -1), Y.reshape(l_rows, -1)
    if not full_rank:
        grad = np.linalg.norm(B.T @ (B @ Z_out - Ym), axis=0)
        tol = np.array([tolerance("least_squares.normal_equations", l_rows=l_rows, k=k,
                                  s_max=s[0], z_norm=zn, y_norm=yn)
                        for zn, yn in zip(np.linalg.norm(Z_out, axis=0),
                                          np.linalg.norm(Ym, axis=0), strict=True)])
        score = float(np.max(grad / np.maximum(tol, 1e-300)))
        return score, {"B": B.tolist(), "Y": Y.tolist(), "outside": z_out.tolist(),
                       "normal_equations_residual": grad.tolist(), "tolerance": tol.tolist(),
                       "rank": "deficient"}
    Z_ref = np.linalg.lstsq(B, Ym, rcond=None)[0]
    kappa = s[0] / s[-1]
    r = np.linalg.norm(Ym - B @ Z_ref, axis=0)
    tol = np.array([tolerance("least_squares.z", l_rows=l_rows, k=k, kappa=kappa, z_norm=zn,
                              y_norm=yn, s_max=s[0], r_norm=rn)
                    for zn, yn, rn in zip(np.linalg.norm(Z_ref, axis=0),
                                          np.linalg.norm(Ym, axis=0), r, strict=True)])
    diff = np.linalg.norm(Z_out - Z_ref, axis=0)
    score = float(np.max(np.where(diff == 0, 0.0, diff / np.maximum(tol, 1e-300))))
    return score, {"B": B.tolist(), "Y": Y.tolist(), "outside": z_out.tolist(),
                   "reference": Z_ref.reshape(z_out.shape).tolist(),
                   "difference": diff.tolist(), "tolerance": tol.tolist(), "kappa": kappa}


@register_part("part.least_squares", part="least_squares")
def judge_least_squares(*, subject: Subject, budget: Budget) -> Verdict:
    """Least squares against the reference (module docstring): fixed inputs, then a search."""
    outside = subject.outside("least_squares")
    worst = Worst("part.least_squares")
    worst.over(least_squares_cases(), _least_squares_inputs(large=budget.name == "thorough"),
               lambda case: _labelled(case[0], least_squares_score(outside, case[1], case[2])),
               part_size(budget, "least_squares.search"), "difference / tolerance")
    return worst.verdict("argmin ||B Z - Y||_2 against the reference; tolerance 20 l k u kappa "
                         "(||z|| + ||y||/sigma_max + kappa ||r||/sigma_max) per column")


def _labelled(label: str, scored: tuple[float, dict]) -> tuple[float, dict]:
    score, detail = scored
    return score, {"input": label, **detail}


# -- spectral norm -----------------------------------------------------------------------------

def _square_with_singular_values(gen: np.random.Generator, s: np.ndarray) -> np.ndarray:
    return _with_singular_values(gen, s.size, s.size, s)


def spectral_cases() -> list[tuple[str, np.ndarray]]:
    """Fixed fault-exciting matrices (label, M), from 1 x 1 to 200 x 200: the sizes people
    feed a spectral norm, where a randomized or iterative estimate falls short."""
    gen = np.random.default_rng(20222)
    alternating = np.outer([1.0, -1.0, 1.0, -1.0], [1.0, -1.0, 1.0, -1.0]) / 4
    jordan = np.eye(60) * 0.1 + np.eye(60, k=1) * 0.8
    clustered = np.r_[1.0, 1.0 - 1e-6 * np.arange(1, 30), np.geomspace(0.5, 1e-3, 70)]
    return [
        ("1 x 1", np.array([[0.3]])),
        ("1 x 1 negative", np.array([[-2.5]])),
        ("zero", np.zeros((3, 3))),
        ("tiny norm 1e-300", 1e-300 * gen.standard_normal((4, 4))),
        ("non-normal (Jordan-like)", np.array([[0.1, 0.8, 0.0], [0.0, 0.1, 0.8],
                                               [0.0, 0.0, 0.1]])),
        ("asymmetric influence-like", np.array([[0.0, 0.9, 0.0], [0.05, 0.0, 0.0],
                                                [0.3, 0.0, 0.0]])),
        ("symmetric", np.array([[0.0, 0.4, 0.2], [0.4, 0.0, 0.1], [0.2, 0.1, 0.0]])),
        ("rank one, orthogonal to ones", alternating),
        ("rectangular", gen.standard_normal((2, 5))),
        ("scaled 1e6", 1e6 * gen.standard_normal((4, 4))),
        ("scaled 1e-6", 1e-6 * gen.standard_normal((3, 3))),
        ("nearly equal top singular values", np.diag([1.0, 1.0 - 1e-9, 0.5])),
        ("Gaussian 20 x 20", gen.standard_normal((20, 20))),
        ("Gaussian 50 x 50", gen.standard_normal((50, 50))),
        ("Gaussian 200 x 200", gen.standard_normal((200, 200))),
        ("tall 300 x 40", gen.standard_normal((300, 40))),
        ("non-normal 60 x 60 (Jordan-like)", jordan),
        ("clustered top singular values, 100 x 100", _square_with_singular_values(gen,
                                                                                clustered)),
        ("kappa 1e12, 80 x 80", _square_with_singular_values(gen, np.geomspace(1, 1e-12, 80))),
        ("nearly rank-deficient 120 x 120", _square_with_singular_values(
            gen, np.r_[np.geomspace(3.0, 1.0, 60), np.full(60, 1e-14)])),
        ("signed +-1, 150 x 150", 2.0 * gen.integers(0, 2, (150, 150)) - 1),
    ]


@st.composite
def _matrices(draw):
    gen = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    size = st.one_of(st.integers(1, 6), st.sampled_from([10, 20, 50, 100, 200]))
    n, m = draw(size), draw(size)
    kind = draw(st.sampled_from(["gaussian", "nonnegative", "symmetric", "nilpotent",
                                 "alternating", "ill", "clustered"]))
    if kind == "nonnegative":
        M = gen.uniform(0, 1, (n, n)) * (gen.uniform(size=(n, n)) < 0.6)
        np.fill_diagonal(M, 0.0)
    elif kind == "symmetric":
        M = gen.standard_normal((n, n))
        M = M + M.T
    elif kind == "nilpotent":
        M = np.triu(gen.standard_normal((n, n)), 1) * 10.0 ** draw(st.integers(0, 3))
    elif kind == "alternating":
        sign = (-1.0) ** np.arange(n)
        M = np.outer(sign, gen.standard_normal(m))
    elif kind == "ill":
        M = _square_with_singular_values(gen, np.geomspace(1, 10.0 ** -draw(st.integers(1, 12)),
                                                           n))
    elif kind == "clustered":
        M = _square_with_singular_values(gen, 1.0 - 1e-7 * gen.uniform(size=n))
    else:
        M = gen.standard_normal((n, m))
    return kind, M * 10.0 ** draw(st.integers(-6, 6))


def _spectral_score(outside, label: str, M: np.ndarray) -> tuple[float, dict]:
    s_out = outside(M)
    s_ref = float(np.linalg.norm(M, 2)) if M.size else 0.0
    tol = tolerance("spectral_norm", n=max(M.shape), norm=s_ref)
    diff = abs(s_out - s_ref)
    score = 0.0 if diff == 0 else diff / max(tol, 1e-300)
    return score, {"input": label, "M": M.tolist(), "outside": s_out, "reference": s_ref,
                   "difference": diff, "tolerance": tol}


@register_part("part.spectral_norm", part="spectral_norm")
def judge_spectral_norm(*, subject: Subject, budget: Budget) -> Verdict:
    """||M||_2 against the reference (module docstring): fixed matrices, then a search."""
    outside = subject.outside("spectral_norm")
    worst = Worst("part.spectral_norm")
    worst.over(spectral_cases(), _matrices(), lambda case: _spectral_score(outside, *case),
               part_size(budget, "spectral_norm.search"), "difference / tolerance")
    return worst.verdict("largest singular value against the reference; tolerance "
                         "64 max(n, m) u ||M||_2")


# -- influence matrix --------------------------------------------------------------------------

def _law(points, probs) -> FiniteJointLaw:
    p = np.asarray(probs, dtype=float)
    return FiniteJointLaw(np.asarray(points, dtype=float), p / p.sum())


def influence_cases() -> list[tuple[str, FiniteJointLaw]]:
    """Fixed fault-exciting laws (label, law): asymmetric dependence (alpha_12 != alpha_21),
    conditioning on x_{-i-j} that matters (d = 3), a product law, the repetition law."""
    cube3 = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)], dtype=float)
    xor_probs = np.array([4.0 if (a + b + c) % 2 == 0 else 1.0 for a, b, c in cube3])
    return [
        ("asymmetric, d = 2", _law([[0, 0], [0, 1], [1, 0], [1, 1]], [0.4, 0.1, 0.1, 0.4])),
        ("asymmetric, 3 values", _law([[0, 0], [0, 1], [1, 1], [2, 0], [2, 1]],
                                      [0.3, 0.1, 0.2, 0.1, 0.3])),
        ("parity-tilted, d = 3", _law(cube3, xor_probs)),
        ("directed chain, d = 3", _law(cube3, [0.3, 0.05, 0.05, 0.1, 0.02, 0.08, 0.1, 0.3])),
        ("product law", _law(cube3, np.prod(np.where(cube3 > 0, [0.3, 0.6, 0.8],
                                                     [0.7, 0.4, 0.2]), axis=1))),
        ("repetition law", _law([[-1, -1, -1], [1, 1, 1]], [0.5, 0.5])),
        ("tiny masses", _law([[0, 0], [0, 1], [1, 0], [1, 1]], [0.5, 1e-9, 0.3, 0.2 - 1e-9])),
    ]


@st.composite
def _laws(draw):
    gen = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    d = draw(st.integers(2, 4))
    values = draw(st.sampled_from([(0.0, 1.0), (-1.0, 1.0), (-1.0, 0.0, 1.0)]))
    grid = np.array(np.meshgrid(*[values] * d, indexing="ij")).reshape(d, -1).T
    keep = gen.uniform(size=grid.shape[0]) < draw(st.sampled_from([1.0, 0.7, 0.4]))
    keep[gen.integers(grid.shape[0])] = True
    probs = gen.uniform(0.01, 1.0, grid.shape[0]) ** draw(st.sampled_from([1, 3]))
    return "search", _law(grid[keep], probs[keep])


def _influence_score(outside, label: str, law: FiniteJointLaw) -> tuple[float, dict]:
    got = outside(law)
    ref = influence_matrix(law)
    tol = tolerance("influence_matrix", support=law.probs.size)
    diff = float(np.max(np.abs(got - ref)))
    score = 0.0 if diff == 0 else diff / tol
    return score, {"input": label, "law": law.to_dict(), "outside": got.tolist(),
                   "reference": ref.tolist(), "difference": diff, "tolerance": tol}


@register_part("part.influence_matrix", part="influence_matrix")
def judge_influence_matrix(*, subject: Subject, budget: Budget) -> Verdict:
    """INF(X) of Definition 2 against the reference (module docstring)."""
    outside = subject.outside("influence_matrix")
    worst = Worst("part.influence_matrix")
    worst.over(influence_cases(), _laws(), lambda case: _influence_score(outside, *case),
               part_size(budget, "influence_matrix.search"), "difference / tolerance")
    return worst.verdict("every entry against the reference; tolerance 64 s u (s = support "
                         "size)")
