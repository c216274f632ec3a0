"""The array types in the library's signatures.

``ArrayLike`` is numpy's: arrays, lists, scalars, anything ``numpy.asarray`` takes.
Functions that also take torch tensors say :data:`ArrayOrTensor`. Annotations only:
nothing here is checked at run time (``import nwlib`` stays free of torch).
"""

from __future__ import annotations

from typing import ForwardRef, Union

from numpy.typing import ArrayLike

__all__ = ["ArrayLike", "ArrayOrTensor", "Width"]

#: A numpy array-like or a torch tensor.
#: ``torch.Tensor`` is a reference resolved in torch's namespace, so
#: ``typing.get_type_hints`` works once torch is imported.
ArrayOrTensor = Union[ArrayLike, ForwardRef("Tensor", module="torch")]  # noqa: UP007
#: A kernel width: one number, or one per coordinate.
Width = Union[float, ArrayLike]  # noqa: UP007
