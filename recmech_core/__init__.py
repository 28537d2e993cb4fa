"""recmech.core: a minimal reference implementation of Cai & Daskalakis (EC'22).

The paper's objects under the paper's names: latent laws and the design matrix (``laws``,
``design``), constrained-additive valuations (``valuations``), bidders as price oracles and the
query protocols of Theorem 2 (``oracles``, ``queries``, ``protocols``), latent mechanisms, the
robustification of Lemma 2 and Algorithm 1 (``mechanisms``, ``robust``), and exact measurement of
revenue and incentives (``measure``).
"""

__all__: list[str] = []
