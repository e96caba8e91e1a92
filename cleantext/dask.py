"""Clean Dask bags and dataframes, on one machine or a cluster.

Needs the ``dask`` extra: ``pip install 'cleantext-toolkit[dask]'`` (dask with
its dataframe and distributed parts). Dask itself is imported only when one of
these functions is called.

Each partition is cleaned by one task. The :class:`~cleantext.pipeline.Pipeline`
travels to the workers once, as a single key of the task graph (its pickle and
a digest of it), and every worker process builds it at most once and keeps it
for later partitions and later computations; nothing is built per document.

Example (a local cluster; ``Client("tcp://scheduler:8786")`` for a real one)::

    import dask.bag as db
    from dask.distributed import Client, LocalCluster
    from cleantext.dask import clean_bag

    with LocalCluster(n_workers=2) as cluster, Client(cluster):
        bag = db.from_sequence(["\\u201cHi\\u201d  there", "By Jane Doe\\n\\nText."], npartitions=2)
        texts = clean_bag(bag, output="text").compute()
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import pickle
import sys
import threading
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from cleantext.emit import Result
from cleantext.errors import InputError
from cleantext.pipeline import Pipeline
from cleantext.sites import SiteProfile

if TYPE_CHECKING:
    from dask.bag import Bag
    from dask.dataframe import DataFrame

__all__ = ["clean_bag", "clean_dataframe", "profile_bag"]

BagOutput = Literal["dict", "json", "text", "result"]
OnError = Literal["raise", "missing"]

_INSTALL_HINT = "pip install 'cleantext-toolkit[dask]'"


def clean_bag(
    bag: Bag,
    *,
    pipeline: Pipeline | None = None,
    output: BagOutput = "dict",
    on_error: OnError = "raise",
    encoding: str | None = None,
) -> Bag:
    """Clean every item of a Dask bag; return a bag of the same length and order.

    An item is text, bytes (decoded as :meth:`Pipeline.clean` does, with
    ``encoding`` if given), a ``(data, name)`` or a ``(data, name, site)``
    tuple (``site``: a URL or domain, for a pipeline loaded with a site
    profile, see :func:`profile_bag`). ``output`` chooses what each item becomes:

    - ``"dict"``: :meth:`Result.to_dict` (JSON-ready: text, edits, metadata, warnings);
    - ``"json"``: :meth:`Result.to_json`, one line, ready for ``Bag.to_textfiles``;
    - ``"text"``: the clean text only;
    - ``"result"``: the :class:`~cleantext.emit.Result` itself.

    A missing item (None or NaN) stays None. Bytes that are not text raise
    :class:`~cleantext.errors.InputError` when the bag is computed, or become
    None with ``on_error="missing"``. ``pipeline`` defaults to ``Pipeline.load()``,
    built on the workers.
    """
    if output not in ("dict", "json", "text", "result"):
        raise ValueError(f"output must be 'dict', 'json', 'text' or 'result', not {output!r}")
    _check_on_error(on_error)
    dask_bag = _require("dask.bag")
    if not isinstance(bag, dask_bag.Bag):
        raise TypeError(f"clean_bag needs a dask.bag.Bag, not {type(bag).__name__}")
    # Positional arguments: dask.bag takes some keywords (``output``) for itself.
    return bag.map_partitions(_clean_bag_partition, _shipped(pipeline), output, on_error, encoding)


def clean_dataframe(
    df: DataFrame,
    column: str,
    *,
    pipeline: Pipeline | None = None,
    text_column: str | None = "{column}_clean",
    edit_count_column: str | None = "{column}_edit_count",
    edits_column: str | None = None,
    metadata_column: str | None = None,
    site_column: str | None = None,
    on_error: OnError = "raise",
    encoding: str | None = None,
) -> DataFrame:
    """Clean the text in ``column`` of a Dask dataframe; return it with output columns added.

    Every other column and the index are kept. The output columns, each named
    by a template in which ``{column}`` is the input column's name (None leaves
    that output out; an existing column of the same name is replaced, so
    ``text_column="{column}"`` cleans in place):

    - ``text_column`` (default ``<column>_clean``): the clean text, a string column;
    - ``edit_count_column`` (default ``<column>_edit_count``): the number of edits, ``Int64``;
    - ``edits_column`` (off by default): the edits as a JSON list (:meth:`Edit.to_dict` each);
    - ``metadata_column`` (off by default): the metadata found (author, published) as a JSON object.

    A missing cell (None, NaN, ``pd.NA``) gives missing values in every output
    column. Cells may be text or bytes (decoded, with ``encoding`` if given);
    bytes that are not text raise :class:`~cleantext.errors.InputError` when
    computed, or give missing values with ``on_error="missing"``. Any other
    cell type is a :class:`TypeError`. The result's ``meta`` is given
    explicitly, so Dask does not run the pipeline to guess it. ``pipeline``
    defaults to ``Pipeline.load()``, built on the workers. ``site_column``
    names a column of each row's site (a URL or domain), for a pipeline
    loaded with a site profile (see :func:`profile_bag`).
    """
    _check_on_error(on_error)
    _require("dask.dataframe")
    pd = _require("pandas")
    for needed in (column, site_column):
        if needed is not None and needed not in df.columns:
            raise KeyError(f"column {needed!r} is not in the dataframe; its columns: {', '.join(map(str, df.columns))}")
    text_dtype = _string_dtype(pd, df[column].dtype)
    templates = {
        "text": (text_column, text_dtype),
        "edit_count": (edit_count_column, pd.Int64Dtype()),
        "edits": (edits_column, text_dtype),
        "metadata": (metadata_column, text_dtype),
    }
    outputs = {kind: (name.format(column=column), dtype) for kind, (name, dtype) in templates.items() if name}
    names = [name for name, _ in outputs.values()]
    if len(set(names)) < len(names):
        raise ValueError(f"output columns must have distinct names, not {names}")
    meta = df._meta.assign(**{name: pd.array([], dtype=dtype) for name, dtype in outputs.values()})
    return df.map_partitions(
        _clean_frame_partition,
        _shipped(pipeline),
        column,
        outputs,
        on_error,
        encoding,
        site_column,
        meta=meta,
    )


def profile_bag(bag: Bag, *, pipeline: Pipeline | None = None, encoding: str | None = None) -> Any:
    """The site profile of a bag of ``(data, site)`` items, as a Dask delayed :class:`~cleantext.sites.SiteProfile`.

    Each partition counts its pages as ``cleantext profile`` does (the text
    the strip stage would see: ``pipeline.up_to("strip")``), and the
    partitions' profiles are added up. An item whose site is missing is not
    counted; bytes that are not text are skipped. Then::

        profile = profile_bag(bag).compute()
        cleaned = clean_bag(pages_with_sites, pipeline=Pipeline.load(profile=profile))
    """
    dask_bag = _require("dask.bag")
    if not isinstance(bag, dask_bag.Bag):
        raise TypeError(f"profile_bag needs a dask.bag.Bag, not {type(bag).__name__}")
    # One profile per partition (the pipeline reaches the workers as a key of the graph), then their sum.
    profiles = bag.map_partitions(_profile_partition, _shipped(pipeline), encoding)
    return profiles.reduction(SiteProfile.merged, SiteProfile.merged)


# -- what runs on the workers ------------------------------------------------------------------------------------


class _ShippedPipeline:
    """A pipeline as sent to workers: its pickle and a digest, built at most once per process.

    ``payload`` None stands for the default pipeline, loaded where it runs.
    """

    __slots__ = ("digest", "payload")

    def __init__(self, digest: str, payload: bytes | None) -> None:
        self.digest = digest
        self.payload = payload

    @classmethod
    def of(cls, pipeline: Pipeline | None) -> _ShippedPipeline:
        if pipeline is None:
            return cls("default", None)
        if not isinstance(pipeline, Pipeline):
            raise TypeError(f"pipeline must be a cleantext Pipeline or None, not {type(pipeline).__name__}")
        payload = pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL)
        shipped = cls(hashlib.sha256(payload).hexdigest(), payload)
        # This process (the client, or the local threaded scheduler) already has it built.
        _remember(shipped.digest, pipeline)
        return shipped

    def get(self) -> Pipeline:
        """The pipeline, from this process's cache or built (once) into it."""
        pipeline = _PIPELINES.get(self.digest)
        if pipeline is not None:
            return pipeline
        with _BUILD_LOCK:
            pipeline = _PIPELINES.get(self.digest)
            if pipeline is None:
                pipeline = Pipeline.load() if self.payload is None else pickle.loads(self.payload)
                _remember(self.digest, pipeline)
        return pipeline

    def __reduce__(self) -> tuple[Any, ...]:
        return (_ShippedPipeline, (self.digest, self.payload))

    def __dask_tokenize__(self) -> str:
        return self.digest


_PIPELINES: dict[str, Pipeline] = {}
"""Pipelines built in this process, by digest; the oldest go past ``_CACHE_SIZE``."""

_CACHE_SIZE = 8
_BUILD_LOCK = threading.Lock()


def _remember(digest: str, pipeline: Pipeline) -> None:
    _PIPELINES.pop(digest, None)
    _PIPELINES[digest] = pipeline
    while len(_PIPELINES) > _CACHE_SIZE:
        del _PIPELINES[next(iter(_PIPELINES))]


def _shipped(pipeline: Pipeline | None) -> Any:
    """The pipeline as one graph key (a ``Delayed``), so each worker fetches it once, not once per task."""
    dask = _require("dask")
    return dask.delayed(_ShippedPipeline.of(pipeline), pure=True, traverse=False)


def _clean_bag_partition(
    items: Iterable[Any], shipped: _ShippedPipeline, output: BagOutput, on_error: OnError, encoding: str | None
) -> list[Any]:
    pipeline = shipped.get()
    cleaned: list[Any] = []
    for item in items:
        data, name, site = (*item, None)[:3] if isinstance(item, tuple) else (item, None, None)
        result = _clean_value(pipeline, data, name, on_error, encoding, site)
        if result is None:
            cleaned.append(None)
        elif output == "dict":
            cleaned.append(result.to_dict())
        elif output == "json":
            cleaned.append(result.to_json())
        elif output == "text":
            cleaned.append(result.text)
        else:
            cleaned.append(result)
    return cleaned


def _profile_partition(items: Iterable[Any], shipped: _ShippedPipeline, encoding: str | None) -> list[SiteProfile]:
    counting = shipped.get().up_to("strip")
    profile = SiteProfile()
    for item in items:
        data, site = item
        if not isinstance(site, str) or not site.strip():
            continue
        result = _clean_value(counting, data, None, "missing", encoding)
        if result is not None:
            profile.add(site, result.text)
    return [profile]


def _clean_frame_partition(
    frame: Any,
    shipped: _ShippedPipeline,
    column: str,
    outputs: dict[str, tuple[str, Any]],
    on_error: OnError,
    encoding: str | None,
    site_column: str | None = None,
) -> Any:
    import pandas as pd

    pipeline = shipped.get()
    values = frame[column].tolist()
    sites = frame[site_column].tolist() if site_column is not None else [None] * len(values)
    results = [
        _clean_value(pipeline, value, None, on_error, encoding, site) for value, site in zip(values, sites, strict=True)
    ]
    extract = {
        "text": lambda result: result.text,
        "edit_count": lambda result: len(result.edits),
        "edits": lambda result: json.dumps([edit.to_dict() for edit in result.edits], ensure_ascii=False),
        "metadata": lambda result: json.dumps(dict(result.metadata), ensure_ascii=False),
    }
    columns = {
        name: pd.array([None if result is None else extract[kind](result) for result in results], dtype=dtype)
        for kind, (name, dtype) in outputs.items()
    }
    return frame.assign(**columns)


def _clean_value(
    pipeline: Pipeline,
    value: Any,
    name: str | None,
    on_error: OnError,
    encoding: str | None,
    site: str | None = None,
) -> Result | None:
    """The result for one cell or item, or None for a missing one (and for bad bytes with ``on_error="missing"``)."""
    if isinstance(value, str | bytes | bytearray | memoryview):
        try:
            return pipeline.clean(value, name=name, encoding=encoding, site=site if isinstance(site, str) else None)
        except InputError:
            if on_error == "raise":
                raise
            return None
    if _is_missing(value):
        return None
    raise TypeError(f"cannot clean a {type(value).__name__}: items must be text, bytes or missing (None, NaN)")


def _is_missing(value: Any) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    pandas = sys.modules.get("pandas")
    if pandas is None:
        return False
    try:
        return bool(pandas.isna(value))
    except (TypeError, ValueError):  # not a scalar
        return False


# -- helpers -------------------------------------------------------------------------------------------------------


def _require(module: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"cleantext.dask needs dask, with its dataframe part: {_INSTALL_HINT} ({error})") from error


def _check_on_error(on_error: str) -> None:
    if on_error not in ("raise", "missing"):
        raise ValueError(f"on_error must be 'raise' or 'missing', not {on_error!r}")


def _string_dtype(pd: ModuleType, dtype: Any) -> Any:
    """The input column's string dtype when it has one (same missing-value semantics), else pandas strings.

    Those are stored by pyarrow where it is installed, as Dask stores strings by default.
    """
    if isinstance(dtype, pd.StringDtype):
        return dtype
    try:
        importlib.import_module("pyarrow")
    except ImportError:
        return pd.StringDtype()
    return pd.StringDtype("pyarrow")
