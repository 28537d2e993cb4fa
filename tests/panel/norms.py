"""Spectral norms from numpy and scipy: numpy.linalg.norm(ord=2) (correct), scipy.sparse.linalg
svds(k=1) (ARPACK; refuses matrices with min(shape) < 2) and
scipy.linalg.interpolative.estimate_spectral_norm (a randomized estimate, low on larger
matrices)."""

from types import SimpleNamespace

import numpy as np
import scipy.linalg.interpolative as sli
from scipy.sparse.linalg import svds

numpy_norm = SimpleNamespace(spectral_norm=lambda M: np.linalg.norm(M, 2))
svds_norm = SimpleNamespace(
    spectral_norm=lambda M: float(svds(np.asarray(M, dtype=float), k=1,
                                       return_singular_vectors=False)[0]))
interpolative_norm = SimpleNamespace(
    spectral_norm=lambda M: sli.estimate_spectral_norm(np.asarray(M, dtype=float)))
