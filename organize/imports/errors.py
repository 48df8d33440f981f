"""The one error of an import that stops the whole file: a form, a mapping or a file that
cannot be read. A bad row never raises; it is quarantined with its line and reason."""

from __future__ import annotations


class ImportFailed(Exception):
    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code
