"""numpydoc's own validation of every public name in nwlib and nwlib.course.

The checks honoured (numpydoc.validate codes): a docstring (GL08); a one-line summary
that starts with a capital, ends with a period and uses the infinitive ("Return", not
"Returns": SS01-SS06); every parameter documented, none unknown, in order, with a type
(PR01-PR04); a Returns section for functions that return something (RT01). The type
of a documented parameter must say something: not ``Any``.
"""

from __future__ import annotations

import inspect
import re

import pytest
from numpydoc.validate import validate

import nwlib
import nwlib.course

CHECKS = {"GL08", "SS01", "SS02", "SS03", "SS04", "SS05", "SS06", "PR01", "PR02", "PR03", "PR04",
          "RT01"}


def _names() -> list[str]:
    found = []
    for package, names in ((nwlib, nwlib.__all__), (nwlib.course, nwlib.course.__all__)):
        for name in names:
            obj = getattr(package, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found.append(f"{package.__name__}.{name}")
    return found


def test_every_public_function_and_class_is_validated():
    names = _names()
    assert "nwlib.nadaraya_watson" in names and "nwlib.course.plot_fit" in names and len(names) > 90


@pytest.mark.parametrize("name", _names())
def test_numpydoc_validation(name):
    result = validate(name)
    errors = [f"{code}: {message}" for code, message in result["errors"] if code in CHECKS]
    vague = [line.strip() for line in (result["docstring"] or "").splitlines()
             if re.match(r"\s*\w+(, \w+)* : .*\bAny\b", line)]
    assert not errors and not vague, f"{name}: " + "; ".join(errors + [f"vague type: {v}" for v in vague])


def test_a_missing_parameter_is_caught():
    def undocumented(queries, keys):
        """Do something.

        Parameters
        ----------
        queries : numpy.typing.ArrayLike
            The queries.
        """

    undocumented.__module__ = __name__
    globals()["undocumented"] = undocumented
    codes = {code for code, _ in validate(f"{__name__}.undocumented")["errors"]}
    assert "PR01" in codes
