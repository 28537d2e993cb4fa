"""Hand-worked values, scaling laws and hypothesis refusals of every bound calculator.

Each test names the claim id it checks; "edge" points sit on the boundary of a claim's domain.
"""

import math

import numpy as np
import pytest
from scipy import stats

import recmech.bounds as B

# ---------------------------------------------------------------- definition3, lemma1, lemma3


def test_definition3_identity_and_stacked_block():
    assert B.definition3(block=np.eye(3), eps=0.1, eta=0.05).value("certified_delta") == \
        pytest.approx(0.15)
    # B = [1; 1]: pinv = [1/2, 1/2], ||.||_inf = 1 (edge: eta = 0)
    rec = B.definition3(block=[[1.0], [1.0]], eps=0.2)
    assert rec.value("pinv_inf_norm") == pytest.approx(1.0)
    assert rec.value("certified_delta") == pytest.approx(0.2)


def test_definition3_noise_levels_at_their_edge_zero_hold_and_below_fail():
    # Def. 3 quantifies over eps, eta >= 0: zero is in the domain (a noiseless protocol)
    edge = B.definition3(block=np.eye(2), eps=0.0, eta=0.1)
    assert edge.valid and edge.value("certified_delta") == pytest.approx(0.1)
    assert B.definition3(block=np.eye(2), eps=0.1, eta=0.0).valid
    for eps, eta, name in ((-0.1, 0.1, "eps_nonnegative"), (0.1, -1e-300, "eta_nonnegative")):
        rec = B.definition3(block=np.eye(2), eps=eps, eta=eta)
        assert not rec.valid and [h.name for h in rec.failed()] == [name]


def test_definition3_refuses_rank_deficient_block():
    rec = B.definition3(block=[[1.0, 2.0], [2.0, 4.0]], eps=0.1)
    assert not rec.valid and rec.failed()[0].name == "full_column_rank"
    with pytest.raises(ValueError, match="full_column_rank"):
        B.definition3(block=[[1.0, 2.0], [2.0, 4.0]], eps=0.1, strict=True)
    assert not B.definition3(block=[[1.0, 0.0]], eps=0.1).valid  # fewer rows than k


def test_lemma1_coupling_certificate_at_and_past_the_edge():
    assert B.lemma1(eps=0.1, mass_outside=0.1).value("holds_coupling") == 1  # edge: equality
    assert B.lemma1(eps=0.1, mass_outside=0.1000001).value("holds_coupling") == 0
    assert not B.lemma1(eps=0.0, mass_outside=0.0).valid
    assert not B.lemma1(eps=0.1, mass_outside=1.5).valid


def test_lemma3_varah_values_and_observed_norms():
    rec = B.lemma3(U=[[3.0, 1.0], [1.0, 2.0]])  # alpha = beta = 1
    assert rec.value("inv_inf_bound") == 1.0 and rec.value("inv_t_inf_bound") == 1.0
    assert rec.value("inv_inf_norm") == pytest.approx(0.8)  # inv = [[2,-1],[-1,3]]/5
    # edge: a 1x1 matrix, alpha = beta = |u|
    rec = B.lemma3(U=[[-0.5]])
    assert rec.value("alpha") == 0.5 and rec.value("inv_inf_norm") == pytest.approx(2.0)
    assert not B.lemma3(U=[[1.0, 1.0], [0.0, 1.0]]).valid  # alpha = 0: not strictly dominant
    with pytest.raises(ValueError, match="diagonally_dominant_rows"):
        B.lemma3(U=[[1.0, 1.0], [0.0, 1.0]], strict=True)


# ------------------------------------------------------------------------ theorem1, lemma2


def test_theorem1_kappa_hand_worked():
    # kappa = L eps1 + A L m eps + A L sqrt(m eps) = 0.01 + 2*0.04 + sqrt(0.08)
    rec = B.theorem1(L=1, eps1=0.01, eps=0.04, m=2, A_inf=1)
    assert rec.value("kappa") == pytest.approx(0.01 + 0.08 + math.sqrt(0.08))
    assert rec.value("revenue_loss") == pytest.approx(2 * rec.value("kappa"))
    assert rec.value("delta_grid") == pytest.approx(math.sqrt(0.08))
    # edge eps = eps1 with explicit constants
    rec = B.theorem1(L=2, eps1=0.01, eps=0.01, m=1, A_inf=3, c_kappa=2.0, c_rev=5.0)
    assert rec.value("kappa") == pytest.approx(2 * (0.02 + 0.06 + 6 * 0.1))
    assert rec.constants == {"c_kappa": 2.0, "c_rev": 5.0}


def test_theorem1_refuses_eps_below_eps1():
    rec = B.theorem1(L=1, eps1=0.02, eps=0.01, m=1, A_inf=1)
    assert [h.name for h in rec.failed()] == ["eps_at_least_eps1"] and rec.values == {}
    with pytest.raises(ValueError, match="eps_at_least_eps1"):
        B.theorem1(L=1, eps1=0.02, eps=0.01, m=1, A_inf=1, strict=True)


def test_theorem1_kappa_and_revenue_loss_vanish_as_eps1_goes_to_zero():
    kappas = [B.theorem1(L=1, eps1=e, eps=4 * e, m=3, A_inf=2).value("kappa")
              for e in (1e-2, 1e-4, 1e-6, 1e-8)]
    assert all(a > b for a, b in zip(kappas, kappas[1:], strict=False))
    assert kappas[-1] < 1e-3
    # rate: the sqrt(m eps) term dominates, so kappa shrinks ~ 10x per 100x in eps1
    assert kappas[2] / kappas[3] == pytest.approx(10, rel=0.05)


def test_lemma2_hand_worked_and_best_grid():
    rec = B.lemma2(L=1, eps=0.01, delta=0.1, m=2, A_inf=1)
    assert rec.value("kappa") == pytest.approx(0.02 + 0.1 + 0.2)
    best = rec.value("best_delta")
    at_best = B.lemma2(L=1, eps=0.01, delta=best, m=2, A_inf=1).value("kappa")
    assert at_best <= rec.value("kappa")
    assert B.lemma2(L=1, eps=0.0, delta=0.5, m=1, A_inf=2).value("kappa") == 1.0  # edge eps=0
    assert not B.lemma2(L=1, eps=0.01, delta=0.0, m=2, A_inf=1).valid


def test_proposition1_mechanism_values_and_dropped_term():
    rec = B.proposition1_mechanism(L=1, eps1=0.01, f_eps1=0.04, m=1, A_inf=1)
    assert rec.value("eta") == pytest.approx(0.01 + 0.04 + 0.2)
    assert rec.value("revenue_loss") == pytest.approx(0.04 + 0.2)
    assert rec.erratum is None
    # tiny ||A||_inf: Thm. 1's m L eps1 term dominates what Prop. 1 keeps
    rec = B.proposition1_mechanism(L=1, eps1=0.01, f_eps1=0.01, m=1, A_inf=1e-4)
    assert rec.corrected["revenue_loss_theorem1"] > 10 * rec.value("revenue_loss")
    assert "m L eps1" in rec.erratum
    assert not B.proposition1_mechanism(L=1, eps1=0.01, f_eps1=0.005, m=1, A_inf=1).valid


# --------------------------------------------------------------------- theorem2.noisy_value


def test_noisy_value_printed_and_sufficient_counts():
    rec = B.theorem2_noisy_value(A_inf=1, eta=0.01, eps=0.01)
    assert rec.value("queries_stated") == pytest.approx(2 * math.log2(100))
    assert rec.value("queries") == 14
    assert rec.corrected["queries_sufficient"] == 6  # ceil(log2(1.02/0.02)) = ceil(5.67)
    assert rec.erratum is None


def test_noisy_value_erratum_when_eps_is_not_small():
    # printed log2(1/(0.9*0.01)) = 6.80 -> 7, but bisection on length 2.8 needs 8
    rec = B.theorem2_noisy_value(A_inf=1, eta=0.01, eps=0.9)
    assert rec.value("queries") == 7 and rec.corrected["queries_sufficient"] == 8
    assert rec.erratum is not None
    # edge eps = eta = 1: printed 0 queries, one is needed (interval 3 > 2 eta)
    rec = B.theorem2_noisy_value(A_inf=1, eta=1, eps=1)
    assert rec.value("queries") == 0 and rec.corrected["queries_sufficient"] == 1


def test_noisy_value_sufficient_count_is_exact_at_powers_of_two():
    # length 1 + 2/8 = 1.25, eta = 1.25/16: exactly 3 halvings reach half-width eta
    rec = B.theorem2_noisy_value(A_inf=1.0, eta=1.25 / 16, eps=0.125)
    assert rec.corrected["queries_sufficient"] == 3


def test_noisy_value_queries_grow_like_log_one_over_eps():
    counts = [B.theorem2_noisy_value(A_inf=1, eta=e, eps=e).value("queries_stated")
              for e in (1e-2, 1e-4, 1e-8)]
    assert counts[1] - counts[0] == pytest.approx(2 * math.log2(100))
    assert counts[2] - counts[1] == pytest.approx(2 * math.log2(1e4))


# ------------------------------------------------------------------ theorem2.deterministic


def test_deterministic_identity_gives_four_eps():
    rec = B.theorem2_deterministic(C=np.eye(3), A_inf=1, eps=1e-3)
    assert rec.value("delta") == pytest.approx(4e-3)
    assert rec.value("queries") == 3 * 20  # ceil(2 log2 1000) = 20
    assert rec.value("delta_certified") == pytest.approx(2e-3)


def test_deterministic_negative_diagonal_erratum():
    # C = [[-1]] is diagonally dominant; printed delta = 4 max_j C_jj eps = -4 eps < 0
    rec = B.theorem2_deterministic(C=[[-1.0]], A_inf=1, eps=0.01)
    assert rec.valid and rec.value("delta") == pytest.approx(-0.04)
    assert rec.corrected["delta"] == pytest.approx(0.04)
    assert "negative diagonal" in rec.erratum


def test_deterministic_delta_linear_in_eps_and_queries_independent_of_N():
    C = np.array([[3.0, 1.0], [-1.0, 2.5]])
    d = [B.theorem2_deterministic(C=C, A_inf=5, eps=e).value("delta") for e in (1e-3, 2e-3)]
    assert d[1] == pytest.approx(2 * d[0])
    q = [B.theorem2_deterministic(C=C, A_inf=5, eps=1e-3, N=n) for n in (10, 10**6)]
    assert q[0].value("queries") == q[1].value("queries")
    assert q[1].value("naive_queries") == 10**5 * q[0].value("naive_queries")


def test_deterministic_refusals():
    assert not B.theorem2_deterministic(C=[[1.0, 1.0], [0.0, 1.0]], A_inf=2, eps=0.1).valid
    rec = B.theorem2_deterministic(C=[[2.0]], A_inf=1, eps=0.1)  # ||A|| < ||C||: impossible
    assert [h.name for h in rec.failed()] == ["A_inf_covers_C"]
    assert not B.theorem2_deterministic(C=np.eye(3), A_inf=1, eps=0.1, N=2).valid


# --------------------------------------------------------- theorem2.gaussian, weak, remark4


def test_gaussian_hand_worked_and_edge():
    rec = B.theorem2_gaussian(Sigma_S=np.ones(65), k=1, eps=1e-3, A_inf=1)
    assert rec.value("delta") == pytest.approx(64e-3)
    assert rec.log_values["failure_prob"] == pytest.approx(math.log(2) - 65 / 16)
    assert rec.value("queries") == 65 * 20
    # edge: Tr/rho = 64k exactly is refused (strict inequality as printed)
    rec = B.theorem2_gaussian(Sigma_S=np.eye(64), k=1, eps=1e-3, A_inf=1)
    assert [h.name for h in rec.failed()] == ["effective_rank"]


def test_gaussian_failure_probability_kept_in_log_space():
    rec = B.theorem2_gaussian(Sigma_S=np.ones(20000), k=1, eps=0.1, A_inf=1)
    assert rec.value("failure_prob") == 0.0  # the float underflows ...
    assert rec.log_values["failure_prob"] == pytest.approx(math.log(2) - 1250)  # ... the log not


def test_gaussian_full_matrix_matches_its_diagonal_form():
    rng = np.random.default_rng(7)
    Q, _ = np.linalg.qr(rng.standard_normal((70, 70)))
    diag = np.linspace(1.0, 1.05, 70)  # Tr/rho = 68.3 > 64
    Sigma = Q @ np.diag(diag) @ Q.T
    Sigma = (Sigma + Sigma.T) / 2
    full = B.theorem2_gaussian(Sigma_S=Sigma, k=1, eps=1e-3, A_inf=1)
    flat = B.theorem2_gaussian(Sigma_S=diag, k=1, eps=1e-3, A_inf=1)
    assert full.value("delta") == pytest.approx(flat.value("delta"), rel=1e-9)
    assert full.log_values["failure_prob"] == pytest.approx(flat.log_values["failure_prob"])


def test_gaussian_malformed_sigma_raises():
    with pytest.raises(ValueError, match="Sigma_S must be symmetric"):
        B.theorem2_gaussian(Sigma_S=[[1.0, 1.0], [0.0, 1.0]], k=1, eps=0.1, A_inf=1)
    with pytest.raises(ValueError, match="Sigma_S must be symmetric"):  # close, but not equal
        B.theorem2_gaussian(Sigma_S=[[1.0, 0.5], [0.4, 1.0]], k=1, eps=0.1, A_inf=1)
    with pytest.raises(ValueError, match="positive semidefinite"):
        B.theorem2_gaussian(Sigma_S=[[1.0, 2.0], [2.0, 1.0]], k=1, eps=0.1, A_inf=1)
    with pytest.raises(ValueError, match="Sigma_S"):
        B.theorem2_gaussian(Sigma_S=[1.0, float("nan")], k=1, eps=0.1, A_inf=1)


def test_weak_dependence_hand_worked_and_edge():
    rec = B.theorem2_weak_dependence(variances=np.ones(257), c=1, k=1, inf_norm=0.0, eps=1e-3,
                                     A_inf=1)
    assert rec.value("delta") == pytest.approx(64e-3)
    assert rec.log_values["failure_prob"] == pytest.approx(math.log(2) - 257 / 64)
    # edge: sum v_i^2 = 16 c^2 k sqrt|S| exactly (|S| = 256) is refused
    rec = B.theorem2_weak_dependence(variances=np.ones(256), c=1, k=1, inf_norm=0.0, eps=1e-3,
                                     A_inf=1)
    assert [h.name for h in rec.failed()] == ["sufficient_variance"]
    assert not B.theorem2_weak_dependence(variances=[2.0] * 300, c=1, k=1, inf_norm=0.0,
                                          eps=0.1, A_inf=1).valid  # v_i^2 > c^2
    assert not B.theorem2_weak_dependence(variances=[1.0] * 300, c=1, k=1, inf_norm=1.0,
                                          eps=0.1, A_inf=1).valid


def test_weak_dependence_notes_the_lemma5_proof_gap():
    rec = B.theorem2_weak_dependence(variances=np.ones(317), c=1, k=1, inf_norm=0.1,
                                     eps=1e-3, A_inf=1)
    assert rec.valid and rec.erratum is None and "Proof gap" in rec.notes


def test_ex_ante_delta_linear_in_eps_queries_independent_of_N():
    kw = {"Sigma_S": np.ones(200), "k": 2, "A_inf": 1}
    d1 = B.theorem2_gaussian(eps=1e-3, **kw).value("delta")
    assert B.theorem2_gaussian(eps=3e-3, **kw).value("delta") == pytest.approx(3 * d1)
    q = {B.theorem2_gaussian(eps=1e-3, N=n, **kw).value("queries") for n in (200, 10**9)}
    assert len(q) == 1


def test_remark4_holds_for_both_settings_and_flags_a_violation():
    g = B.theorem2_gaussian(Sigma_S=np.ones(129), k=2, eps=0.1, A_inf=1)
    assert B.remark4(k=2, log_failure=g.log_values["failure_prob"]).value("holds") == 1
    w = B.theorem2_weak_dependence(variances=np.ones(1025), c=1, k=2, inf_norm=0, eps=0.1,
                                   A_inf=1)
    assert B.remark4(k=2, log_failure=w.log_values["failure_prob"]).value("holds") == 1
    # log 2 - 4 is irrational and fl(log 2 - 4) lies 8.8e-17 above it: decided exactly
    edge = B.remark4(k=1, log_failure=math.nextafter(math.log(2) - 4, -9))
    assert edge.value("holds") == 1 and 0 < edge.value("margin") < 1e-15
    bad = B.remark4(k=1, log_failure=-3.0)
    assert bad.value("holds") == 0 and bad.erratum is not None


# ------------------------------------------------------------------------ proposition1.*


def test_proposition1_separable():
    rec = B.proposition1_separable(k=4, eps1=1e-3, A_inf=1)
    assert rec.value("f_eps1") == pytest.approx(4e-3)
    assert rec.value("queries_theorem2") == 4 * 20
    assert rec.value("queries") == pytest.approx(4 * math.log2(1000))
    assert not B.proposition1_separable(k=4, eps1=1e-3, A_inf=0.5).valid


def test_proposition1_gaussian_strictness_and_small_f_errata():
    rec = B.proposition1_gaussian(k=1, kappa_Sigma=1, trace_S=64, eps1=1e-3, A_inf=1)
    assert rec.value("size") == 64 and rec.corrected["size"] == 65
    assert "needs > 64k" in rec.erratum
    # large trace: f_theorem2 = 64 sqrt(|S| k / Tr) eps1 < eps1
    rec = B.proposition1_gaussian(k=1, kappa_Sigma=1.5, trace_S=1e7, eps1=1e-3, A_inf=1)
    assert rec.value("f_theorem2") < 1e-3 and rec.corrected["f_theorem2"] == 1e-3
    assert "Thm. 1 needs eps >= eps1" in rec.erratum
    # kappa > 1: interlacing is strict, so |S| = 64 kappa k suffices
    ok = B.proposition1_gaussian(k=2, kappa_Sigma=1.5, trace_S=300, eps1=1e-3, A_inf=1)
    assert ok.erratum is None and ok.value("size") == 192 and ok.corrected["size"] == 192
    assert not B.proposition1_gaussian(k=1, kappa_Sigma=0.5, trace_S=1, eps1=1e-3,
                                       A_inf=1).valid


def test_proposition1_weak_dependence():
    rec = B.proposition1_weak_dependence(k=1, c=1, a=1, inf_norm=0, eps1=1e-3, A_inf=1)
    assert rec.value("size") == 256 and rec.corrected["size"] == 257
    assert "Thm. 2 needs >" in rec.erratum
    rec = B.proposition1_weak_dependence(k=2, c=1, a=0.9, inf_norm=0.5, eps1=1e-3, A_inf=1)
    assert rec.value("size") == math.ceil(256 * 4 / (0.9**4 * 0.25))
    assert rec.value("f_eps1") == pytest.approx(math.sqrt(2) / 0.9 * 1e-3)
    assert rec.erratum is None
    assert not B.proposition1_weak_dependence(k=1, c=1, a=2, inf_norm=0, eps1=1e-3,
                                              A_inf=1).valid


# ---------------------------------------------------------------------- lemmas 4 to 9


def test_lemma4_values_and_vacuous_edge():
    rec = B.lemma4(trace_d=1000, d_max=1, n=3)
    assert rec.value("sigma_max_bound") == pytest.approx(2 * math.sqrt(1000))
    assert rec.value("sigma_min_bound") == pytest.approx(math.sqrt(1000) / 4)
    assert rec.log_values["failure_prob"] == pytest.approx(math.log(2) - 125 + 12)
    assert B.lemma4(trace_d=8, d_max=8, n=1).value("vacuous") == 1  # edge: d_max = Tr
    assert not B.lemma4(trace_d=1, d_max=2, n=1).valid


def test_lemma5_values():
    rec = B.lemma5(variances=np.full(100, 0.25), c=1, n=2, m=100, inf_norm=0.5)
    v = 5.0
    assert rec.value("sigma_max_bound") == pytest.approx(2 * v)
    assert rec.log_values["failure_prob"] == pytest.approx(
        math.log(2) - 0.25 * v**4 / (32 * 200) + 8)
    with pytest.raises(ValueError, match="m must equal len"):
        B.lemma5(variances=np.ones(3), c=1, n=1, m=4)
    assert not B.lemma5(variances=np.ones(3), c=0.5, n=1).valid


def test_lemma6_net_and_singular_bounds():
    rec = B.lemma6(eps=1 / 7, n=3, a=2.0, b=1.0)
    assert rec.value("log_net_size") == pytest.approx(3 * math.log(21))
    assert rec.value("sigma_max_bound") == pytest.approx(2 * 7 / 6)
    assert rec.value("sigma_min_bound") == pytest.approx(1 - 2 / 6)
    assert not B.lemma6(eps=1.0, n=3).valid  # edge: eps = 1 excluded
    with pytest.raises(ValueError, match="a and b"):
        B.lemma6(eps=0.5, n=1, a=1.0)


def test_lemma7_lower_tail_bound_holds_against_chi_square():
    for n in (1, 10, 100):
        rec = B.lemma7_lower_tail(trace_d=n, d_max=1, isotropic=True)
        assert rec.value("threshold") == n / 4
        assert rec.log_values["exact_prob"] <= rec.log_values["failure_prob"]


def test_lemma7_upper_tail_printed_bound_fails_at_I24():
    rec = B.lemma7_upper_tail(trace_d=24, d_max=1, isotropic=True)
    assert math.exp(rec.log_values["exact_prob"]) == pytest.approx(0.0025241297, rel=1e-8)
    assert math.exp(rec.log_values["failure_prob"]) == pytest.approx(0.0024787522, rel=1e-8)
    assert rec.log_values["exact_prob"] > rec.log_values["failure_prob"]
    assert rec.erratum is not None
    assert rec.log_values["exact_prob"] <= rec.corrected["log_failure_prob"]
    # n = 23 is the last isotropic case where the printed bound still holds
    assert B.lemma7_upper_tail(trace_d=23, d_max=1, isotropic=True).erratum is None


def test_lemma7_upper_tail_printed_and_corrected_exponents_are_the_statements():
    # printed exp(-Tr/(4 d_max)), corrected exp(-Tr/(8 d_max)): no looser, no tighter
    for trace, d_max in ((24.0, 1.0), (10.0, 2.5), (2000.0, 1.0), (3.0, 0.5)):
        rec = B.lemma7_upper_tail(trace_d=trace, d_max=d_max)
        assert rec.log_values["failure_prob"] == pytest.approx(-trace / (4 * d_max), rel=1e-12)
        assert rec.corrected["log_failure_prob"] == pytest.approx(-trace / (8 * d_max),
                                                                  rel=1e-12)


def test_lemma7_upper_tail_corrected_bound_holds_for_isotropic_D():
    for n in (1, 24, 200, 2000):
        exact = stats.chi2.logsf(2 * n, n)
        assert exact <= B.lemma7_upper_tail(trace_d=n, d_max=1).corrected["log_failure_prob"]


def test_proposition3_on_its_interval():
    edge = B.proposition3(x=0.25)
    assert edge.value("holds") == 1
    assert edge.value("quadratic") == 0.8125 and edge.value("quartic") == 0.84375
    assert B.proposition3(x=0.0).value("lhs") == 1.0
    assert not B.proposition3(x=0.3).valid


def test_lemma8_and_lemma9_hand_worked():
    rec = B.lemma8(t=8, c=1, n=2, m=2, inf_norm=0.0)
    assert rec.log_values["failure_prob"] == pytest.approx(math.log(2) - 1.0)
    rec = B.lemma9(t=2, c=[1.0, 1.0], inf_norm=0.5)
    assert rec.log_values["failure_prob"] == pytest.approx(math.log(2) - 1.0)
    assert B.lemma9(t=0, c=[1.0]).value("vacuous") == 1  # edge t = 0
    assert not B.lemma9(t=1, c=[0.0]).valid
    assert not B.lemma8(t=1, c=1, n=1, m=1, inf_norm=1.0).valid


# --------------------------------------------------------------------- malformed input


@pytest.mark.parametrize("call", [
    lambda: B.lemma4(trace_d=float("nan"), d_max=1, n=1),
    lambda: B.lemma4(trace_d=1, d_max=1, n=-1),
    lambda: B.lemma4(trace_d=1, d_max=1, n=1.5),
    lambda: B.lemma4(trace_d=10**400, d_max=1, n=1),
    lambda: B.definition3(block=[1.0, 2.0], eps=0.1),
    lambda: B.lemma3(U=np.ones((2, 3))),
    lambda: B.theorem2_weak_dependence(variances=[], c=1, k=1, inf_norm=0, eps=1, A_inf=1),
])
def test_malformed_values_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("call", [
    lambda: B.lemma4(trace_d="big", d_max=1, n=1),
    lambda: B.lemma4(trace_d=True, d_max=1, n=1),
    lambda: B.lemma9(t=1, c="abc"),
    lambda: B.lemma9(t=1, c="1.5"),
    lambda: B.lemma7_lower_tail(trace_d=4, d_max=1, isotropic="no"),
    lambda: B.definition3(block=[[1 + 1j]], eps=0.1),
])
def test_parameters_of_the_wrong_kind_raise_type_error(call):
    with pytest.raises(TypeError):
        call()


# --- pinned by mutation testing: instances where a changed constant or operator shows ---

def test_deterministic_delta_scales_with_the_diagonal_and_c_equal_2i_has_no_erratum():
    # C = 2 I: alpha = beta = 2, delta = 2 max C_jj (eps + eta)/(alpha beta) = 2 * 2 * 0.2/4
    rec = B.theorem2_deterministic(2 * np.eye(2), A_inf=4.0, eps=0.1)
    assert rec.value("delta") == pytest.approx(0.2) == rec.corrected["delta"]
    assert rec.erratum is None


def test_weak_dependence_failure_exponent_carries_c_to_the_fourth():
    # c = 2, v_i^2 = 4: sum v^2 = 4|S|; exponent (sum v^2)^2/(64 c^4 k |S|) = |S|/64
    size = 1100
    rec = B.theorem2_weak_dependence(variances=np.full(size, 4.0), c=2.0, k=1, inf_norm=0.0,
                                     eps=1e-3, A_inf=1)
    assert rec.log_values["failure_prob"] == pytest.approx(math.log(2) - size / 64)


def test_lemma5_accepts_a_zero_variance():
    rec = B.compute("lemma5", variances=[0.0] + [1.0] * 2000, c=1.0, n=1, m=2001, inf_norm=0.0)
    assert rec.valid


def test_headline_success_probabilities_are_probabilities():
    from recmech.bounds.headline import headline_rows
    rows = headline_rows()
    assert all(0.0 < r["success_prob"] <= 1.0 for r in rows)
    assert any(r["success_prob"] < 1.0 for r in rows)
