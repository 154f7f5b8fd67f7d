"""Root pytest configuration.

The Hypothesis profiles (ci, dev, fuzz) and the suite's option group are registered once, in
``batchproof/properties/pytest_plugin.py``, which pytest loads through the package's ``pytest11``
entry point so plugin authors get the same options (``--batchproof-plugin``) in their own CI.
"""
