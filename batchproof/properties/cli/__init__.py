"""The ``batchproof`` command line: argument parsing, input loading and rendering."""
