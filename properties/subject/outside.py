"""Judging an implementation from outside: adapters that see a part only through its arguments,
its return value and the price queries it sends to the oracle.

- protocols (Def. 3, Thm. 2): a ``RecordingOracle`` learns the items a protocol queries; the
  worst vertex of the eps-box is built for those items and the bound is the certified delta of
  the block it queried; without a ``query_protocol`` part, ``ComposedProtocol`` runs the
  reference item selection with the implementation's value queries and least squares;
- least squares: the pseudo-inverse P = (B^T B)^{-1} B^T is read off ``least_squares`` by
  linearity, a few columns per call (``read_pinv``);
- mechanisms (Lemma 2, Thm. 1): ``OutsideMechanism`` is a latent mechanism known only through
  ``outcome(bids)``, measured exactly by ``recmech.core.measure``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from recmech.core.design import DesignMatrix
from recmech.core.mechanisms import LatentMechanism, Outcome
from recmech.core.oracles import NoisyOracle, TruthfulOracle
from recmech.core.protocols import QueryProtocol
from recmech.core.queries import LeastSquares, SearchPlan, noisy_value_queries
from recmech.core.types import ConstantOffsets, LazyType, SparseOffsets, worst_vertex_offsets
from recmech.properties.subject.calls import PartError

__all__ = ["ComposedProtocol", "OutsideMechanism", "RecordingOracle", "bisection_error",
           "external_worst_error", "outside_z_hat", "pinv_from_least_squares", "read_pinv",
           "value_oracle", "worst_vertex_oracle"]


class RecordingOracle:
    """A price oracle that records which items were asked about (and passes answers through)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.asked: list[np.ndarray] = []

    @property
    def eta(self) -> float:
        return float(getattr(self.inner, "eta", 0.0))

    @property
    def queries(self) -> int:
        return int(self.inner.queries)

    def accepts_many(self, items, prices) -> np.ndarray:
        items = np.asarray(items, dtype=np.int64).reshape(-1)
        self.asked.append(items.copy())
        return self.inner.accepts_many(items, prices)

    def accepts(self, j: int, p: float) -> bool:
        return bool(self.accepts_many(np.array([j]), np.array([float(p)]))[0])

    def items(self) -> np.ndarray:
        """The distinct items asked about, in the order first asked."""
        if not self.asked:
            return np.zeros(0, dtype=np.int64)
        allq = np.concatenate(self.asked)
        _, first = np.unique(allq, return_index=True)
        return allq[np.sort(first)]


class ComposedProtocol:
    """The reference protocol's items, with another implementation's value queries and least
    squares (either may be the reference): the parts the implementation does not provide."""

    def __init__(self, proto: QueryProtocol, value_queries, least_squares) -> None:
        self.proto, self.value_queries, self.least_squares = proto, value_queries, least_squares

    def run(self, oracle) -> np.ndarray:
        p = self.proto
        rows = p.design.rows(p.items)
        y = self.value_queries(oracle, items=p.items, rows=rows, inf_norm=p.design.inf_norm,
                               eps=p.eps, eta=p.eta)
        z = np.asarray(self.least_squares(rows, np.asarray(y, dtype=float)), dtype=float)
        return np.clip(z.reshape(-1), 0.0, 1.0)


def worst_vertex_oracle(design: DesignMatrix, items: np.ndarray, pinv: np.ndarray, eps: float,
                        z: np.ndarray, eta_o: float):
    """The oracle of the worst type for least squares on ``items``: t at the vertex of the
    eps-box around Az that maximises the error (e = eps sign(P[r, :]) on the queried items, r
    the row of P with the largest l1 norm), answering with eta_o-noise pushed the same way."""
    values, _, _ = worst_vertex_offsets(items, pinv, eps, z)
    t = LazyType(design.A, z, SparseOffsets(items, values))
    push = {int(j): (1 if v > 0 else -1) for j, v in zip(items, values, strict=True)}
    return NoisyOracle(t, eta_o, push) if eta_o > 0 else TruthfulOracle(t)


def value_oracle(t_j: float, eta_o: float, adversary: str):
    """The price oracle of one item of value t_j, answering with eta_o-noise as ``adversary``
    says (truthful when eta_o = 0)."""
    t = LazyType(np.zeros((1, 1)), [0.0], ConstantOffsets(t_j))
    return NoisyOracle(t, eta_o, adversary) if eta_o > 0 else TruthfulOracle(t)


def bisection_error(plan: SearchPlan, t_j: float, eta_o: float, adversary: str) -> float:
    """|value - t_j| of the reference bisection ``plan`` (its count of halvings) on one item of
    value t_j (Thm. 2 proof: a noisy value query from price queries)."""
    return abs(float(noisy_value_queries(value_oracle(t_j, eta_o, adversary), plan)[0]) - t_j)


def outside_z_hat(result, k: int, part: str = "query_protocol") -> np.ndarray:
    """z_hat of an outside protocol's run (an array, or an object with ``.z_hat``) as a float64
    (k,) array; a ``PartError`` naming ``part`` otherwise."""
    try:
        z = np.asarray(getattr(result, "z_hat", result), dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise PartError(f"{part} (its run)", f"returned {type(result).__name__}, not "
                        f"z_hat ({exc})") from None
    if z.shape != (k,):
        raise PartError(f"{part} (its run)", f"returned z_hat of shape {z.shape}; "
                        f"expected ({k},)")
    return z


def external_worst_error(protocol, design: DesignMatrix, z: np.ndarray, eps: float,
                         eta: float, eta_o: float, compute) -> dict:
    """||z - Q(t)||_inf of a protocol judged from outside, on the worst vertex of the eps-box
    for the items it queries (learnt from a truthful run), against the certified delta
    ||P||_inf (eps + eta + eta_o) of the block it queried in the adversarial run."""
    probe = RecordingOracle(TruthfulOracle(LazyType(design.A, z)))
    protocol.run(probe)
    items = probe.items()
    try:
        pinv = LeastSquares(design.rows(items)).pinv
    except ValueError:
        return {"error": math.inf, "bound": 0.0, "items": items.tolist(),
                "why": "the queried items do not identify z (rank < k)"}
    oracle = RecordingOracle(worst_vertex_oracle(design, items, pinv, eps, z, eta_o))
    err = float(np.max(np.abs(outside_z_hat(protocol.run(oracle), design.k) - z)))
    asked = oracle.items()
    try:
        rec = compute("definition3", block=design.rows(asked), eps=eps, eta=eta + eta_o)
        bound = float(rec.value("certified_delta"))
    except ValueError:
        bound = 0.0
    return {"error": err, "bound": bound, "items": int(asked.size), "queries": oracle.queries,
            "queried": asked}


PROBES = 4          # Gaussian probes of the orthogonal complement of range(B), per block
WIDTH = 6           # right-hand sides per call of the fast reading
CHUNK = 256         # identity columns per call when P is read column by column
PROBE_SEED = 20221  # the probes are the same on every run (a deterministic reading)
PROBE_TOL = 10.0    # c of the rounding tolerance c l u kappa(B)^2 / sigma_max(B) of a probe


def read_pinv(least_squares, B: np.ndarray, gen: np.random.Generator,  # noqa: N803
              out: np.ndarray | None = None) -> np.ndarray:
    """P = (B^T B)^{-1} B^T (k x l) of one block B (l x k), read off a least squares by linearity.

    The fast reading (k + 4 right-hand sides). With B = QR (reduced QR, ours) a least squares L
    that is linear gives L = L(Q) Q^T + L(Q_perp) Q_perp^T, and the exact one has L(Q) = R^{-1},
    L(Q_perp) = 0. definition: ``least_squares(B, [Q | G])``, with G = 4 unit Gaussian probes of the
    complement of range(B), gives L(Q), hence L(Q) Q^T, and the action on the complement; it is
    called at most 6 columns at a time (one call for k <= 2: the claim checks read 4,000 blocks
    per batch, and LAPACK's least squares through a multithreaded BLAS on a loaded machine
    slows down sharply beyond about 6 right-hand sides: 0.07 ms at 6, 2 to 11 ms at 8 to 10,
    for a 1025 x 2 block). If every probe's answer is within the rounding tolerance
    t = 10 l u kappa(B)^2 / sigma_max(B) (a backward-stable or normal-equations solver answers
    a right-hand side orthogonal to range(B) within c l u kappa^2 ||g|| / sigma_max;
    u = 2^-53, or the precision the part shows on range(B), ||L(Q) R - I||_2 / kappa, when that
    is coarser, capped at 1e-3: a float32 least squares is read at its own precision, in
    k + 4 right-hand sides, not column by column), the reading is L(Q) Q^T. An action
    M = L(Q_perp) with ||M||_2 > 10^4 sqrt(l) t escapes one unit probe with probability
    < sqrt(2/pi) 10^-4 (the probe's component along M's top right singular vector has density
    <= sqrt(l / (2 pi)) at 0), all four with probability < 5e-17 per block; below that size
    it changes ||P||_inf by at most 10^4 l t (checked: project.probe_escape).

    The full reading, otherwise (a probe answered beyond t, or B not of full column rank): P is
    read column by column from ``least_squares(B, I[:, a:a + 256])``, each chunk copied out.

    Memory: the guard keeps the (k, l) answer (written into ``out`` when given) and, during one
    call, its own arguments (l (k + 4) or l 256 doubles) and copies of the part's answers
    (k (k + 4) or k 256 doubles); the part's own buffers are released when the call returns
    (the guard keeps nothing of what it returned: ``recmech.properties.subject.calls`` copies it).
    """
    l_rows, k = B.shape
    P = np.empty((k, l_rows)) if out is None else out
    Q, R = np.linalg.qr(B)
    s = np.linalg.svd(R, compute_uv=False)
    if s[-1] > s[0] * max(l_rows, k) * np.finfo(float).eps:
        G = gen.standard_normal((l_rows, PROBES))
        for _ in range(2):  # twice: orthogonal to range(B) to working precision
            G -= Q @ (Q.T @ G)
        G /= np.linalg.norm(G, axis=0, keepdims=True)
        Y = np.hstack([Q, G])
        Z = np.hstack([np.asarray(least_squares(B, Y[:, a:a + WIDTH]), dtype=float)
                       for a in range(0, Y.shape[1], WIDTH)])
        kappa = s[0] / s[-1]
        u = np.finfo(float).eps / 2
        if Z.shape == (k, k + PROBES):
            # the precision the part shows on range(B): a float32 solver identifies z to about
            # u_32 kappa, not u kappa, and is read at its own precision (part.least_squares
            # judges the shortfall)
            shown = float(np.linalg.norm(Z[:, :k] @ R - np.eye(k), 2)) / kappa
            u = max(u, min(shown, 1e-3))
        tol = PROBE_TOL * l_rows * u * kappa**2 / s[0]
        if Z.shape == (k, k + PROBES) and np.all(np.linalg.norm(Z[:, k:], axis=0) <= tol):
            np.matmul(Z[:, :k], Q.T, out=P)
            return P
    for a in range(0, l_rows, CHUNK):
        cols = np.zeros((l_rows, min(CHUNK, l_rows - a)))
        cols[np.arange(a, a + cols.shape[1]), np.arange(cols.shape[1])] = 1.0
        Z = np.asarray(least_squares(B, cols), dtype=float)
        if Z.shape != (k, cols.shape[1]):
            raise ValueError(f"least_squares(B, Y) must return shape ({k}, {cols.shape[1]}) for "
                             f"B {B.shape} and Y {cols.shape}; found {Z.shape}")
        P[:, a:a + cols.shape[1]] = Z
    return P


def pinv_from_least_squares(least_squares, B: np.ndarray) -> np.ndarray:
    """definition: P = (B^T B)^{-1} B^T for a batch of blocks (b, l, k), read off an
    implementation's least squares block by block (``read_pinv``); a block of rank < k that the part
    refuses with a ValueError reads as the zero map (z is not identified there), a full-rank one
    raises.

    Memory bound, by construction: the result, b k l doubles, is allocated once and every
    block's answer is written into it, so the guard holds b k l + l max(k + 4, 256) + k 256
    doubles at a time whatever the part returns (a view into a buffer of any size included),
    plus the part's transient memory of one call.
    """
    B = np.asarray(B, dtype=float)
    if B.ndim != 3:
        raise ValueError(f"B must be a batch of blocks (b, l, k); found shape {B.shape}")
    gen = np.random.default_rng(PROBE_SEED)
    out = np.empty((B.shape[0], B.shape[2], B.shape[1]))
    for i in range(B.shape[0]):
        try:
            read_pinv(least_squares, B[i], gen, out=out[i])
        except ValueError:
            # definition: refusing a block of rank < k is allowed (the least squares is not unique):
            # the block does not identify z, which a zero map says to every caller (P B != I)
            if np.linalg.matrix_rank(B[i]) >= B.shape[2]:
                raise
            out[i] = 0.0
    return out


class OutsideMechanism(LatentMechanism):
    """Another implementation's mechanism seen only through ``outcome(bids)``, with the design
    and valuations of the instance it was built for (what ``measure`` needs)."""

    def __init__(self, mechanism: Any, A, valuations) -> None:  # noqa: N803
        super().__init__(A, valuations)
        if not callable(getattr(mechanism, "outcome", None)):
            raise TypeError(f"the mechanism under test must provide outcome(bids); found "
                            f"{type(mechanism).__name__}")
        self.mechanism = mechanism

    def _outcome(self, bids: np.ndarray) -> Outcome:
        out = self.mechanism.outcome(bids)
        if not isinstance(out, Outcome):
            raise TypeError(f"outcome(bids) must return recmech.core.mechanisms.Outcome; found "
                            f"{type(out).__name__}")
        return out
