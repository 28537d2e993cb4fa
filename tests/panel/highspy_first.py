"""An outside latent mechanism that runs HiGHS (highspy, default threads) before answering: the
reference's own LP runs after it in the same process (HiGHS's scheduler is process-wide)."""

from types import SimpleNamespace

import highspy

from recmech.core.optimal import TabularMechanism


def _run_highs_with_default_threads() -> None:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.addVar(0.0, 1.0)
    h.changeColCost(0, -1.0)
    h.run()


def latent_mechanism(A, valuations, laws):  # noqa: N803
    _run_highs_with_default_threads()
    return TabularMechanism.from_lp(A, valuations, laws)


impl = SimpleNamespace(latent_mechanism=latent_mechanism)
