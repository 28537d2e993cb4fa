"""The input gate of the calculators (recmech.bounds.inputs): real finite numbers, whole counts,
flags and arrays of a stated shape and dtype; everything else refused by name."""

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from recmech.bounds.inputs import array, flag, integer, margins, real, square


@pytest.mark.parametrize("value,expected", [
    (3, 3.0), (2.5, 2.5), (np.float32(0.5), 0.5), (np.int64(7), 7.0), (Fraction(1, 4), 0.25),
    (mpmath.mpf("0.125"), 0.125), (np.array(1.5), 1.5), (10**308, 1e308),
])
def test_real_accepts_real_numbers_a_float64_carries(value, expected):
    assert real("x", value) == expected


@pytest.mark.parametrize("value,error,match", [
    (True, TypeError, "x must be a real number, not a bool"),
    ("1.5", TypeError, "not text"),
    (b"1", TypeError, "not text"),
    (1 + 0j, TypeError, "x must be a real number; found complex"),
    (None, TypeError, "found NoneType"),
    ([1.0], TypeError, "found list"),
    (math.nan, ValueError, "found NaN"),
    (-math.inf, ValueError, "found -inf"),
    (10**400, ValueError, "at most 1.79769e\\+308 .* 401 digits"),
    (Fraction(10**400, 3), ValueError, "at most"),
    (mpmath.mpf("1e400"), ValueError, "at most"),
    (mpmath.inf, ValueError, "finite"),
])
def test_real_refuses_by_name(value, error, match):
    with pytest.raises(error, match=match):
        real("x", value)


def test_integer_flag_array_and_square():
    assert integer("n", 1e300) == int(1e300) and integer("n", 10**20) == 10**20
    with pytest.raises(ValueError, match="n must be a whole number"):
        integer("n", 2.5)
    with pytest.raises(ValueError, match="n must be >= 1"):
        integer("n", 0, minimum=1)
    assert flag("isotropic", np.True_) is True
    for bad in ("no", 0, 1, None):
        with pytest.raises(TypeError, match="isotropic must be True or False"):
            flag("isotropic", bad)
    assert array("v", [1, 2], ndim=1).dtype == float
    assert array("v", np.array([Fraction(1, 2)], dtype=object), ndim=1).tolist() == [0.5]
    with pytest.raises(ValueError, match=r"v\[1\] must be at most"):
        array("v", [1, 10**400], ndim=1)
    with pytest.raises(TypeError, match="v must be a real array; found complex"):
        array("v", [1.0, 1j], ndim=1)
    with pytest.raises(TypeError, match="not booleans"):
        array("v", [True, False], ndim=1)
    with pytest.raises(TypeError, match="not text"):
        array("v", "1,2", ndim=1)
    with pytest.raises(TypeError, match="dtype <U"):
        array("v", ["1", "2"], ndim=1)
    with pytest.raises(ValueError, match="v must be a numeric array"):
        array("v", [[1.0, 2.0], [3.0]], ndim=2)
    with pytest.raises(ValueError, match=r"v must have shape \(any, 2\)"):
        array("v", np.ones((2, 3)), ndim=2, shape=(None, 2))
    with pytest.raises(ValueError, match="U must be square"):
        square("U", np.ones((2, 3)))


def test_margins_are_exact_at_the_ends_of_float64():
    assert margins(np.array([[1e308]])) == (1e308, 1e308)
    assert margins(np.array([[5e-324, 0.0], [0.0, 1e300]])) == (5e-324, 5e-324)
    # a tight margin is one correctly rounded sum: 1 - (1 - 2^-53) = 2^-53, not lost
    assert margins(np.array([[1.0, 1 - 2.0**-53], [0.0, 1.0]]))[0] == 2.0**-53
    # negative margins beyond float64 are -inf, not an OverflowError
    assert margins(np.array([[1e-300, 1.7e308, 1.7e308], [0, 1, 0], [0, 0, 1]]))[0] == -math.inf
