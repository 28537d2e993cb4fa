"""Robustification bounds: Lemma 1, Lemma 2, Theorem 1 and the main claim of Proposition 1.

Every O(.) of the paper is an explicit keyword constant (default 1.0). The paper does not give
these constants: they are unknown, and a check of these claims tests rates, not values.
Every formula is evaluated in mpmath (0 * a huge product is 0, not NaN; 1e300 * 1e300 is no
overflow on the way) and only a result beyond float64 is an error, by name.
"""

from __future__ import annotations

import mpmath

from recmech.bounds.inputs import integer, real
from recmech.bounds.logspace import PREC, mp, to_float
from recmech.bounds.records import BoundRecord, RecordBuilder
from recmech.bounds.registry import register

__all__ = ["lemma1", "lemma2", "proposition1_mechanism", "theorem1"]

_UNKNOWN = "O(.) constants are unknown (the paper gives rates only); 1.0 is a placeholder."


@register("lemma1")
def lemma1(eps: float, mass_outside: float, *, strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Sec. 2.2, Lemma 1 (Strassen's characterisation of l_inf-Prokhorov).

    d_P(F, F_hat) <= eps iff some coupling has Pr[||x - y||_inf > eps] <= eps (claim: lemma1). Given
    the mass ``mass_outside`` = Pr[||x - y||_inf > eps] of one coupling, ``holds_coupling`` is 1
    when that coupling certifies d_P <= eps, else 0 (claim: lemma1).
    """
    eps = real("eps", eps)
    mass = real("mass_outside", mass_outside)
    b = RecordBuilder("lemma1", "Sec. 2.2, Lemma 1",
                      "d_P(F, F_hat) <= eps  iff  exists coupling: Pr[||x-y||_inf > eps] <= eps",
                      {"eps": eps, "mass_outside": mass}, strict)
    b.require("eps_positive", "eps > 0", eps > 0, f"eps = {eps}")
    b.require("mass_is_probability", "0 <= mass_outside <= 1", 0 <= mass <= 1,
              f"mass_outside = {mass}")
    if b.failed:
        return b.build()
    with mpmath.workprec(PREC):
        slack = to_float("lemma1: slack", mp(eps) - mp(mass))
    return b.build(values={"holds_coupling": int(mass <= eps), "slack": slack})



def _require_mechanism_scale(b: RecordBuilder, L: float, m: int, A_inf: float,
                             constants: dict) -> None:
    """The hypotheses Lemma 2, Thm. 1 and Prop. 1 share: L, m, ||A||_inf and the O(.) constants."""
    b.require("lipschitz_nonnegative", "L >= 0", L >= 0, f"L = {L}")
    b.require("bidders", "m >= 1", m >= 1, f"m = {m}")
    b.require("A_inf_nonnegative", "||A||_inf >= 0", A_inf >= 0, f"A_inf = {A_inf}")
    named = " and ".join(f"{name} > 0" for name in constants)
    b.require("constants_positive", named, all(v > 0 for v in constants.values()),
              ", ".join(f"{name} = {v}" for name, v in constants.items()))

@register("theorem1")
def theorem1(L: float, eps1: float, eps: float, m: int, A_inf: float, c_kappa: float = 1.0,
             c_rev: float = 1.0, *, strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Sec. 3, Thm. 1, items (2) and (3).

    With an (eps1, eps)-query protocol, eps >= eps1 > 0, Algorithm 1 (grid size
    delta = sqrt(m eps)) is (kappa, eps1)-BIC and IR with
    kappa = c_kappa (L eps1 + ||A||_inf L m eps + ||A||_inf L sqrt(m eps)),
    and loses revenue at most c_rev m kappa (claim: theorem1). ``bic_failure_prob`` = min(eps1, 1):
    the probability of (kappa, eps1)-BIC (eps1 = 14 is a true but vacuous statement, not 14).
    """
    L, eps1, eps, A_inf = (real(n, v) for n, v in
                           (("L", L), ("eps1", eps1), ("eps", eps), ("A_inf", A_inf)))
    m = integer("m", m)
    c_kappa, c_rev = real("c_kappa", c_kappa), real("c_rev", c_rev)
    b = RecordBuilder("theorem1", "Sec. 3, Thm. 1, items (2)-(3)",
                      "kappa = c_kappa (L eps1 + ||A||_inf L m eps + ||A||_inf L sqrt(m eps)); "
                      "revenue loss = c_rev m kappa; delta = sqrt(m eps)",
                      {"L": L, "eps1": eps1, "eps": eps, "m": m, "A_inf": A_inf,
                       "c_kappa": c_kappa, "c_rev": c_rev}, strict)
    b.require("eps1_positive", "eps1 > 0", eps1 > 0, f"eps1 = {eps1}")
    b.require("eps_at_least_eps1", "eps >= eps1 (the protocol's accuracy is no better than "
              "the model's Prokhorov error)", eps >= eps1, f"eps = {eps}, eps1 = {eps1}")
    constants = {"c_kappa": c_kappa, "c_rev": c_rev}
    _require_mechanism_scale(b, L, m, A_inf, constants)
    if b.failed:
        return b.build(constants=constants)
    why = " (L, ||A||_inf, m or the constants too large)"
    with mpmath.workprec(PREC):
        Lm, Am = mp(L), mp(A_inf)
        grid = mpmath.sqrt(m * mp(eps))
        kappa = mp(c_kappa) * (Lm * mp(eps1) + Am * Lm * m * mp(eps) + Am * Lm * grid)
        values = {"kappa": to_float("theorem1: kappa", kappa, why),
                  "revenue_loss": to_float("theorem1: revenue_loss", mp(c_rev) * m * kappa, why),
                  "delta_grid": to_float("theorem1: delta_grid", grid, why),
                  # the delta of (kappa, eps1)-BIC: a probability (eps1 >= 1 says nothing) (claim:
                  # theorem1)
                  "bic_failure_prob": min(eps1, 1.0)}
    return b.build(values=values, constants=constants, notes=_UNKNOWN)


@register("lemma2")
def lemma2(L: float, eps: float, delta: float, m: int, A_inf: float, c_kappa: float = 1.0,
           c_rev: float = 1.0, *, strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Sec. 3, Lemma 2 (robustification in the latent space).

    M_tilde with grid size delta is kappa-BIC and IR for every F in the eps-Prokhorov ball,
    kappa = c_kappa ||A||_inf L (m eps + delta + m eps / delta); revenue loss c_rev m kappa.
    """
    L, eps, delta, A_inf = (real(n, v) for n, v in
                            (("L", L), ("eps", eps), ("delta", delta), ("A_inf", A_inf)))
    m = integer("m", m)
    c_kappa, c_rev = real("c_kappa", c_kappa), real("c_rev", c_rev)
    b = RecordBuilder("lemma2", "Sec. 3, Lemma 2",
                      "kappa = c_kappa (||A||_inf L m eps + ||A||_inf L (delta + m eps/delta)); "
                      "revenue loss = c_rev m kappa",
                      {"L": L, "eps": eps, "delta": delta, "m": m, "A_inf": A_inf,
                       "c_kappa": c_kappa, "c_rev": c_rev}, strict)
    b.require("eps_nonnegative", "eps >= 0", eps >= 0, f"eps = {eps}")
    b.require("delta_positive", "delta > 0 (grid size)", delta > 0, f"delta = {delta}")
    constants = {"c_kappa": c_kappa, "c_rev": c_rev}
    _require_mechanism_scale(b, L, m, A_inf, constants)
    if b.failed:
        return b.build(constants=constants)
    why = " (L, ||A||_inf, m, 1/delta or the constants too large)"
    with mpmath.workprec(PREC):
        me = m * mp(eps)
        kappa = mp(c_kappa) * mp(A_inf) * mp(L) * (me + mp(delta) + me / mp(delta))
        values = {"kappa": to_float("lemma2: kappa", kappa, why),
                  "revenue_loss": to_float("lemma2: revenue_loss", mp(c_rev) * m * kappa, why),
                  "best_delta": to_float("lemma2: best_delta", mpmath.sqrt(me), why)}
    return b.build(values=values,
                   constants=constants,
                   notes=_UNKNOWN + " best_delta = sqrt(m eps) minimises delta + m eps/delta.")


@register("proposition1.mechanism")
def proposition1_mechanism(L: float, eps1: float, f_eps1: float, m: int, A_inf: float,
                           c_eta: float = 1.0, c_rev: float = 1.0, *,
                           strict: bool = False) -> BoundRecord:
    """Cai-Daskalakis EC'22, Prop. 1, main claim.

    M is (eta, eps1)-BIC and IR with
    eta = c_eta (L eps1 + ||A||_inf L m f(eps1) + ||A||_inf L sqrt(m f(eps1))), and loses revenue
    at most c_rev (||A||_inf L m^2 f(eps1) + ||A||_inf L m^{3/2} f(eps1)^{1/2}) (claim:
    proposition1.mechanism). Theorem 1 applies with eps = f(eps1) only when f(eps1) >= eps1 (a
    hypothesis here) (claim: proposition1.mechanism). Corrected: Theorem 1's revenue loss
    c_rev m eta keeps the term m L eps1, which Prop. 1 drops; the printed loss follows from
    Theorem 1 only when the terms it keeps dominate it (an erratum is recorded when m L eps1
    exceeds them, e.g. ||A||_inf small).
    """
    L, eps1, f, A_inf = (real(n, v) for n, v in
                         (("L", L), ("eps1", eps1), ("f_eps1", f_eps1), ("A_inf", A_inf)))
    m = integer("m", m)
    c_eta, c_rev = real("c_eta", c_eta), real("c_rev", c_rev)
    b = RecordBuilder("proposition1.mechanism", "Prop. 1, main claim",
                      "eta = c_eta (L eps1 + ||A||_inf L m f + ||A||_inf L sqrt(m f)); "
                      "revenue loss = c_rev (||A||_inf L m^2 f + ||A||_inf L m^1.5 f^0.5)",
                      {"L": L, "eps1": eps1, "f_eps1": f, "m": m, "A_inf": A_inf,
                       "c_eta": c_eta, "c_rev": c_rev}, strict)
    b.require("eps1_positive", "eps1 > 0", eps1 > 0, f"eps1 = {eps1}")
    b.require("f_at_least_eps1", "f(eps1) >= eps1 (Thm. 1 needs eps >= eps1)", f >= eps1,
              f"f(eps1) = {f}, eps1 = {eps1}")
    constants = {"c_eta": c_eta, "c_rev": c_rev}
    _require_mechanism_scale(b, L, m, A_inf, constants)
    if b.failed:
        return b.build(constants=constants)
    why = " (L, ||A||_inf, m, f(eps1) or the constants too large)"
    claim = "proposition1.mechanism"
    with mpmath.workprec(PREC):
        Lm, Am, fm = mp(L), mp(A_inf), mp(f)
        inner = Lm * mp(eps1) + Am * Lm * m * fm + Am * Lm * mpmath.sqrt(m * fm)
        eta = mp(c_eta) * inner
        printed_loss = mp(c_rev) * (Am * Lm * mp(m) ** 2 * fm
                                    + Am * Lm * mp(m) ** 1.5 * mpmath.sqrt(fm))
        thm1_loss = mp(c_rev) * m * inner  # Thm. 1's m kappa, in c_rev units
        dropped = mp(c_rev) * m * Lm * mp(eps1)
        erratum = None
        if dropped > printed_loss:
            erratum = ("revenue loss drops Thm. 1's m L eps1 term, here larger than all it "
                       f"keeps ({mpmath.nstr(dropped, 3)} > {mpmath.nstr(printed_loss, 3)}); "
                       "Thm. 1 gives c_rev m eta")
        values = {"eta": to_float(f"{claim}: eta", eta, why),
                  "revenue_loss": to_float(f"{claim}: revenue_loss", printed_loss, why)}
        corrected = {"revenue_loss_theorem1": to_float(f"{claim}: revenue_loss_theorem1",
                                                       thm1_loss, why)}
    return b.build(values=values, constants=constants, corrected=corrected,
                   erratum=erratum, notes=_UNKNOWN)
