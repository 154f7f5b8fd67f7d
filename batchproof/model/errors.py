"""The BatchproofError family: every error a user can see carries an actionable one-line message."""

from __future__ import annotations


class BatchproofError(Exception):
    """Base of every error batchproof reports to a user (exit code 2 at the CLI)."""


class QuantityError(BatchproofError):
    """A resource quantity string is not valid."""


class ManifestError(BatchproofError):
    """A manifest file is malformed; the message names file, document and field path."""

    def __init__(self, file: str, document: int | None, path: str, problem: str) -> None:
        self.file = file
        self.document = document
        self.path = path
        self.problem = problem
        where = f"{file}: document {document}" if document is not None else file
        super().__init__(f"{where}: {path}: {problem}" if path else f"{where}: {problem}")


class ConfigError(BatchproofError):
    """A scheduler configuration or plugin argument is invalid."""


class UnknownPluginError(BatchproofError):
    """A plugin name is not registered."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"unknown plugin {name!r}; known plugins: {', '.join(sorted(known))}")


class PluginFailure(BatchproofError):
    """A plugin raised an exception; the message names the plugin and extension point."""

    def __init__(self, plugin: str, extension_point: str, cause: BaseException) -> None:
        self.plugin = plugin
        self.extension_point = extension_point
        self.cause = cause
        super().__init__(f"plugin {plugin} raised in {extension_point}: {type(cause).__name__}: {cause}")
