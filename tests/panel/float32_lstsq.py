"""numpy.linalg.lstsq in single precision: a correct routine, but not float64-accurate."""

import numpy as np


def least_squares(B, Y):
    return np.linalg.lstsq(np.asarray(B, np.float32), np.asarray(Y, np.float32), rcond=None)[0]
