"""Test configuration: hypothesis profiles (bounded and derandomized for CI), a startup cache of its own."""

import atexit
import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The suite, and the commands it runs, keep their startup cache in a folder of this session's:
# it starts cold, and nothing is written to the user's cache folder. Registered before cleantext
# is imported, its removal runs after cleantext has written the cache at exit.
os.environ["CLEANTEXT_CACHE_DIR"] = tempfile.mkdtemp(prefix="cleantext-test-cache-")
atexit.register(shutil.rmtree, os.environ["CLEANTEXT_CACHE_DIR"], ignore_errors=True)
