"""Design matrices A (N x k) of the matrix-factorisation model.

Cai-Daskalakis EC'22, Sec. 3 (I): column l of A is the type of archetype l over the N items, and a
latent z in [0,1]^k gives the type Az. The families are those of Theorem 2 and Proposition 1:

- separable (Prop. 1 (1), Donoho-Stodden): A^T = [I_k H^T] Pi_N;
- diagonally dominant (Thm. 2, first bullet): A^T = [C^T H^T] Pi_N, C diagonally dominant by rows
  and by columns;
- Gaussian (Thm. 2, second bullet): archetypes iid N(0, Sigma);
- weakly dependent (Thm. 2, third bullet): archetype coordinates in [-c, c] with mean 0.

||A||_inf = max_j sum_l |A_jl| (max absolute row sum), as in the paper.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from recmech.core.gate import fits_in_memory, real, real_array, whole
from recmech.core.influence import FiniteJointLaw
from recmech.core.laws import RngLike, as_finite_array, as_generator, currency_scale

__all__ = ["CHUNK_ROWS", "FAMILIES", "DesignMatrix", "constant_value", "constant_vector",
           "design_for", "diagonally_dominant", "dominance_margins", "dominant_block", "gaussian",
           "row_chunks", "scale_design", "separable", "weakly_dependent"]

# Rows per chunk when a design is generated or scanned: 2^16 rows x k floats stay a few MB, so
# the working set of an N x k design is A itself plus O(chunk k) (an N = 10^7, k = 8 design is
# 640 MB; whole-array temporaries would each cost as much again).
CHUNK_ROWS = 1 << 16


def row_chunks(n: int, chunk: int = CHUNK_ROWS):
    n, chunk = whole(n, "n", low=0), whole(chunk, "chunk", low=1)  # checked now, not lazily
    return ((start, min(start + chunk, n)) for start in range(0, n, chunk))


def constant_vector(value: float, n: int) -> np.ndarray:
    """A read-only length-n vector of one value that costs O(1) memory (a stride-0 view).

    Used for per-item statistics that are the same for every item (unit scales, equal
    variances), so that an N = 10^7 design does not carry 80 MB vectors of one number.
    """
    value, n = real(value, "value"), whole(n, "n", low=0)
    out = np.broadcast_to(np.float64(value), (n,))
    return out


def constant_value(vec: np.ndarray) -> float | None:
    """The common value of a vector whose entries are all equal, else None (no O(n) temporary)."""
    vec = real_array(vec, "vec")
    if vec.ndim != 1 or vec.size == 0:
        return None
    if vec.strides == (0,):
        return float(vec[0])
    lo, hi = vec.min(), vec.max()
    return float(lo) if lo == hi else None


def _check_dims(N: int, k: int) -> tuple[int, int]:
    N, k = whole(N, "N", low=1), whole(k, "k", low=1)
    if k > N:
        raise ValueError(f"k must be <= N (fewer archetypes than items); found k={k} > N={N}")
    fits_in_memory(N * k, "N, k", f"an N x k = {N:,} x {k:,} design")
    return N, k


@dataclass(frozen=True, eq=False)
class DesignMatrix:
    """A design matrix A (N x k) with the family it was drawn from and its parameters.

    ``meta`` holds what the protocols of Thm. 2 need, e.g. {"block_rows": rows of C, "C": C}
    or {"scales": per-item standard deviations} or {"c": c, "variances": v_i^2}.
    """

    A: np.ndarray
    family: str = "given"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        A = self.A
        if not (isinstance(A, np.ndarray) and A.dtype == np.float64 and A.ndim == 2):
            A = as_finite_array(A, "A", ndim=2)
        if A.shape[1] < 1 or A.shape[0] < A.shape[1]:
            raise ValueError(f"A must be N x k with 1 <= k <= N; found shape {A.shape}")
        # finiteness and ||A||_inf in one pass of row chunks (np.isfinite(A) would be a
        # temporary of N k bytes); a row sum beyond float64 is named here, not an inf later
        norm = 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            for start, stop in row_chunks(A.shape[0]):
                chunk = A[start:stop]
                if not np.isfinite(chunk).all():
                    raise ValueError("A must have finite entries (no NaN/inf); found some")
                norm = max(norm, float(np.max(np.sum(np.abs(chunk), axis=1))))
        if not np.isfinite(norm):
            raise ValueError("A: ||A||_inf (the largest absolute row sum) overflows float64")
        A = A.view()  # a read-only view: the caller's array keeps its own flags
        A.setflags(write=False)
        object.__setattr__(self, "A", A)

    @property
    def N(self) -> int:  # noqa: N802 - the paper's name
        return int(self.A.shape[0])

    @property
    def k(self) -> int:
        return int(self.A.shape[1])

    @functools.cached_property
    def inf_norm(self) -> float:
        """||A||_inf = max_j sum_l |A_jl| (computed once per design, in row chunks)."""
        return max(float(np.max(np.sum(np.abs(self.A[a:b]), axis=1)))
                   for a, b in row_chunks(self.N))

    @functools.cached_property
    def value_range(self) -> tuple[np.ndarray, np.ndarray]:
        """(lo_j, hi_j) = (sum_l min(A_jl, 0), sum_l max(A_jl, 0)): range of (Az)_j on [0,1]^k."""
        return np.minimum(self.A, 0).sum(axis=1), np.maximum(self.A, 0).sum(axis=1)

    def rows(self, idx) -> np.ndarray:
        """The block QA of the rows ``idx``, shape (len(idx), k)."""
        idx = np.asarray(idx)
        if idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
            raise TypeError(f"idx must be a 1-d integer array; found dtype {idx.dtype}")
        if idx.size and (idx.min() < 0 or idx.max() >= self.N):
            raise ValueError(f"idx must lie in [0, {self.N}); found [{idx.min()}, {idx.max()}]")
        return self.A[idx]

    def to_dict(self) -> dict:
        """Summary as plain data (the matrix itself is left out; numpy values are kept, and
        ``recmech.bounds.records.dumps`` writes them as JSON)."""
        small = {k: v.to_dict() if isinstance(v, FiniteJointLaw) else v
                 for k, v in self.meta.items()
                 if not (isinstance(v, np.ndarray) and v.size > 64)}
        return {"family": self.family, "N": self.N, "k": self.k, "inf_norm": self.inf_norm,
                "meta": small}


def scale_design(A, scale) -> np.ndarray:  # noqa: N803
    """A diag(s): the design that values latent coordinates given in currency units s (k,) (or
    one number) as latents in [0,1]^k, z_l = x_l / s_l (``recmech.core.laws.currency_scale``):
    A diag(s) z = A x, so types, values and payments come out in currency."""
    arr = as_finite_array(getattr(A, "A", A), "A", ndim=2)
    with np.errstate(over="ignore"):
        out = arr * currency_scale(scale, arr.shape[1])[None, :]
    if not np.all(np.isfinite(out)):
        raise ValueError("A, scale: A diag(scale) overflows float64")
    return out


def dominance_margins(C) -> tuple[float, float]:
    """(alpha, beta) of Thm. 2, first bullet.

    definition: alpha = min_i (|C_ii| - sum_{j != i} |C_ij|) (rows), beta = min_j (|C_jj| - sum_{i
    != j} |C_ij|) (columns); C is diagonally dominant by rows and columns iff both are > 0.
    """
    C = as_finite_array(C, "C", ndim=2)
    if C.shape[0] != C.shape[1] or C.shape[0] == 0:
        raise ValueError(f"C must be square and non-empty; found shape {C.shape}")
    absC = np.abs(C)
    diag = np.diag(absC)
    with np.errstate(over="ignore", invalid="ignore"):
        alpha = float(np.min(2 * diag - absC.sum(axis=1)))
        beta = float(np.min(2 * diag - absC.sum(axis=0)))
    if not (np.isfinite(alpha) and np.isfinite(beta)):
        raise ValueError("C: its dominance margins overflow float64 (entries too large)")
    return alpha, beta


def _mixture_rows(n: int, k: int, gen: np.random.Generator, scale: float) -> np.ndarray:
    """Rows that are convex combinations of the archetypes (topic-model items), times ``scale``."""
    return scale * gen.dirichlet(np.ones(k), size=n)


def _place_block(C: np.ndarray, H: np.ndarray | None, n_h: int, gen: np.random.Generator,
                 permute: bool, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """A with A^T = [C^T H^T] Pi: the rows of C land at ``block_rows``.

    The random stream is that of drawing H (default: ``_mixture_rows``) and then the
    permutation. Without a given H (and with ``permute``) the rows are drawn twice in chunks:
    once to advance the generator past them (the permutation comes after them in the stream)
    and once, from a copy of the saved state, straight into their permuted places. So the only
    O(N) memory besides A is the permutation as int32 (half of ``gen.permutation``'s int64,
    with the same values).
    """
    k = C.shape[0]
    N = k + n_h
    A = np.empty((N, k))
    replay = gen
    if H is None and permute:
        replay = np.random.Generator(type(gen.bit_generator)())
        replay.bit_generator.state = gen.bit_generator.state
        for a, b in row_chunks(n_h):
            gen.dirichlet(np.ones(k), size=b - a)
    pos = None
    if permute:
        # gen.permutation(N) is arange(N) shuffled in place: the same draws on an int32 arange
        pos = np.arange(N, dtype=np.int32 if N < 2**31 else np.int64)
        gen.shuffle(pos)
    block = np.arange(k) if pos is None else pos[:k].astype(np.int64)
    A[block] = C
    for a, b in row_chunks(n_h):
        rows = _mixture_rows(b - a, k, replay, scale) if H is None else H[a:b]
        if pos is None:
            A[k + a:k + b] = rows
        else:
            A[pos[k + a:k + b]] = rows
    return A, block


def diagonally_dominant(C, N: int, rng: RngLike, H=None, permute: bool = True) -> DesignMatrix:
    """A^T = [C^T H^T] Pi_N with C diagonally dominant by rows and columns (Thm. 2, first bullet).

    By default H has rows that are convex combinations of the archetypes scaled by max_j |C_jj|,
    so ||A||_inf = ||C||_inf. ``meta`` records block_rows (A[block_rows] = C), C, alpha, beta.
    """
    C = as_finite_array(C, "C", ndim=2)
    alpha, beta = dominance_margins(C)
    N, k = _check_dims(N, C.shape[0])
    if alpha <= 0 or beta <= 0:
        raise ValueError("C must be strictly diagonally dominant by rows and by columns "
                         f"(alpha > 0, beta > 0); found alpha={alpha}, beta={beta}")
    gen = as_generator(rng)
    if H is not None:
        H = as_finite_array(H, "H", ndim=2, shape=(N - k, k))
    A, block = _place_block(C, H, N - k, gen, permute, float(np.max(np.abs(np.diag(C)))))
    return DesignMatrix(A, "diagonally_dominant",
                        {"block_rows": block, "C": C.copy(), "alpha": alpha, "beta": beta})


def separable(k: int, N: int, rng: RngLike, H=None, permute: bool = True) -> DesignMatrix:
    """A^T = [I_k H^T] Pi_N, the separability assumption (Prop. 1 (1); Donoho-Stodden).

    Default H: item rows are convex combinations of the archetypes, so ||A||_inf = 1 for every N.
    """
    N, k = _check_dims(N, k)
    design = diagonally_dominant(np.eye(k), N, rng, H=H, permute=permute)
    return DesignMatrix(design.A, "separable", design.meta)


def gaussian(N: int, k: int, rng: RngLike, Sigma=None, scales=None) -> DesignMatrix:
    """Archetypes (columns of A) iid N(0, Sigma) (Thm. 2, second bullet).

    Give either a full covariance ``Sigma`` (N x N, symmetric PSD; for small N) or ``scales``
    (per-item standard deviations: Sigma = diag(scales^2), for large N). Default Sigma = I_N.
    """
    N, k = _check_dims(N, k)
    if Sigma is not None and scales is not None:
        raise ValueError("Sigma, scales: give at most one of them; found both")
    gen = as_generator(rng)
    G = np.empty((N, k))
    gen.standard_normal(out=G)  # in place: the same draws as standard_normal((N, k))
    if Sigma is not None:
        S = as_finite_array(Sigma, "Sigma", ndim=2, shape=(N, N))
        if not np.allclose(S, S.T, atol=1e-12 * max(1.0, np.abs(S).max())):
            raise ValueError("Sigma must be symmetric; found an asymmetric matrix")
        w, V = np.linalg.eigh(S)
        if w.min() < -1e-10 * max(1.0, w.max()):
            raise ValueError(f"Sigma must be positive semidefinite; found eigenvalue {w.min()}")
        root = V * np.sqrt(np.clip(w, 0, None))
        return DesignMatrix(root @ G, "gaussian", {"Sigma": S})
    if scales is None:
        # unit scales: G is A already (x * 1.0 == x), and the scales vector costs O(1)
        return DesignMatrix(G, "gaussian", {"scales": constant_vector(1.0, N)})
    sd = real_array(scales, "scales", 1, (N,), high=1e150)
    if np.any(sd < 0):
        raise ValueError(f"scales must be >= 0 (standard deviations); found min {sd.min()}")
    for a, b in row_chunks(N):
        G[a:b] *= sd[a:b, None]
    return DesignMatrix(G, "gaussian", {"scales": sd})


def _rademacher(n: int, k: int, c: float, gen: np.random.Generator) -> np.ndarray:
    """+-c entries, drawn in row chunks into one array (the same draws as one integers call)."""
    out = np.empty((n, k))
    for a, b in row_chunks(n):
        out[a:b] = gen.integers(0, 2, size=(b - a, k))
        out[a:b] *= 2.0
        out[a:b] -= 1.0
        out[a:b] *= c
    return out


def weakly_dependent(N: int, k: int, c: float, rng: RngLike,
                     sampler: Callable[[int, int, np.random.Generator], np.ndarray] | None = None,
                     *, variances=None, influence_norm: float | None = None,
                     independent: bool = False, law: FiniteJointLaw | None = None
                     ) -> DesignMatrix:
    """Archetype coordinates in [-c, c] with mean 0 (Thm. 2, third bullet).

    Default: independent +-c coordinates (Var = c^2, the largest a [-c, c] law allows, and
    INF = 0 for theta and for every marginal theta_S, by independence). A custom
    ``sampler(N, k, gen) -> (N, k)`` must come with the per-item ``variances`` v_i^2 and
    ``influence_norm`` = ||INF(theta)||_2 of its law (these are properties of the law, not of
    one draw, so they cannot be measured from A). Thm. 2 needs ||INF(theta_S)||_2 of the
    marginal law of the queried items, which the whole vector's norm does not bound (checked:
    project.marginal_influence); so the design also records ``independent`` (the sampler's
    coordinates are independent: every marginal has INF = 0) or the finite ``law`` of theta (a
    ``FiniteJointLaw`` on R^N, whose marginals the item selection evaluates).
    """
    N, k = _check_dims(N, k)
    # c^2 (the variances) stays finite and c^4 (Thm. 2's failure exponent) normal
    c = real(c, "c", low=1e-75, high=1e150)
    gen = as_generator(rng)
    if not isinstance(independent, bool):
        raise TypeError(f"independent must be a bool; found {type(independent).__name__}")
    if law is not None and (not isinstance(law, FiniteJointLaw) or law.d != N):
        raise ValueError(f"law must be a FiniteJointLaw on R^N (N = {N}); found "
                         f"{type(law).__name__}" + (f" on R^{law.d}"
                                                    if isinstance(law, FiniteJointLaw) else ""))
    if sampler is None:
        A = _rademacher(N, k, c, gen)
        v2, inf_norm, independent = constant_vector(c * c, N), 0.0, True
    else:
        if variances is None or influence_norm is None:
            raise ValueError("variances, influence_norm: a custom sampler must state the "
                             "variances v_i^2 and ||INF(theta)||_2 of its law")
        A = as_finite_array(sampler(N, k, gen), "sampler output", ndim=2, shape=(N, k))
        v2 = as_finite_array(variances, "variances", ndim=1, shape=(N,))
        inf_norm = float(influence_norm)
        if np.any(v2 < 0) or np.any(v2 > c * c):
            raise ValueError(f"variances must lie in [0, c^2] for a law on [-c, c]; found "
                             f"[{v2.min()}, {v2.max()}]")
        if not 0 <= inf_norm:
            raise ValueError(f"influence_norm must be >= 0; found {inf_norm}")
    worst = max(float(np.abs(A[a:b]).max()) for a, b in row_chunks(N))
    if worst > c:
        raise ValueError(f"sampler output must lie in [-c, c] = [{-c}, {c}]; "
                         f"found max |entry| {worst}")
    meta = {"c": c, "variances": v2, "influence_norm": inf_norm, "independent": independent}
    if law is not None:
        meta["law"] = law
    return DesignMatrix(A, "weakly_dependent", meta)


FAMILIES = ("separable", "diagonally_dominant", "gaussian", "weak_dependence")


def dominant_block(k: int, rng: RngLike, negative: bool = False,
                   margin: float = 0.5) -> np.ndarray:
    """A k x k block C for Thm. 2, first bullet: diagonal +-1 (all -1 if ``negative``, else random
    signs), off-diagonal rows and columns of absolute sum <= 1 - margin, so C is diagonally
    dominant by rows and by columns with alpha, beta >= margin (claim: theorem2.deterministic)."""
    k = whole(k, "k", low=1)
    fits_in_memory(k * k, "k", f"a {k:,} x {k:,} block")
    margin = real(margin, "margin", low=0.0, high=1.0, high_open=True)
    gen = as_generator(rng)
    off = gen.uniform(-1, 1, size=(k, k))
    np.fill_diagonal(off, 0.0)
    worst = max(np.abs(off).sum(axis=1).max(), np.abs(off).sum(axis=0).max(), 1e-300)
    diag = -np.ones(k) if negative else gen.choice([-1.0, 1.0], size=k)
    return np.diag(diag) + (1 - margin) * off / worst


def design_for(family: str, N: int, k: int, rng: RngLike, *, c: float = 1.0,  # noqa: N803
               C=None) -> DesignMatrix:  # noqa: N803 - the paper's names
    """A freshly drawn design of ``family`` (``FAMILIES``): separable (Prop. 1 (1)), diagonally
    dominant around ``C`` (default ``dominant_block(k, rng)``; Thm. 2, first bullet), Gaussian
    archetypes N(0, I) (second bullet), or coordinates in [-c, c] (third bullet)."""
    if not isinstance(family, str):
        raise TypeError(f"family must be one of {FAMILIES}; found {type(family).__name__}")
    if family == "separable":
        return separable(k, N, rng)
    if family == "diagonally_dominant":
        gen = as_generator(rng)
        return diagonally_dominant(dominant_block(k, gen) if C is None else C, N, gen)
    if family == "gaussian":
        return gaussian(N, k, rng)
    if family == "weak_dependence":
        return weakly_dependent(N, k, c, rng)
    raise ValueError(f"family must be one of {FAMILIES}; found {family!r}")

