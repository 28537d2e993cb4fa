"""numpy.linalg.lstsq (LAPACK gelsd) as the least squares part."""

import numpy as np


def least_squares(B, Y):
    return np.linalg.lstsq(B, Y, rcond=None)[0]
