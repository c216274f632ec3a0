"""``bandwidth`` is keyword-only in every public function, so a call says which number is the width."""

from __future__ import annotations

import inspect

import pytest

import nwlib
import nwlib.course


def _public_functions():
    for namespace in (nwlib, nwlib.course):
        for name in namespace.__all__:
            obj = getattr(namespace, name)
            # Classes hold a bandwidth as a field (RandomFeatures, PluginWidth, ...):
            # they are built by functions that take it by keyword.
            if inspect.isfunction(obj):
                yield f"{namespace.__name__}.{name}", obj


FUNCTIONS = dict(_public_functions())
WITH_A_WIDTH = {name: fn for name, fn in FUNCTIONS.items()
                if "bandwidth" in inspect.signature(fn).parameters}


def test_the_scan_sees_the_functions_that_take_a_width():
    assert {"nwlib.nadaraya_watson", "nwlib.sdpa_nadaraya_watson", "nwlib.leave_one_out_loss",
            "nwlib.width_objective"} <= set(WITH_A_WIDTH)


@pytest.mark.parametrize("name", sorted(WITH_A_WIDTH))
def test_bandwidth_is_keyword_only(name):
    kind = inspect.signature(WITH_A_WIDTH[name]).parameters["bandwidth"].kind
    assert kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: make it `*, bandwidth`"
