"""Optional integrations with other data-processing frameworks.

Each lives in its own module and imports its framework only there, so
``import cleantext`` never needs them:

- :mod:`cleantext.integrations.datatrove`: :class:`~cleantext.integrations.datatrove.CleantextFormatter`,
  a datatrove pipeline step (``pip install 'cleantext-toolkit[datatrove]'``).

Dask support is :mod:`cleantext.dask` (``pip install 'cleantext-toolkit[dask]'``).
"""
