"""Errors the domain raises when a command would break a rule.

This room holds the two exception types every caller must handle. A ``DomainError``
carries a sentence a person can act on (shown to her as is, after translation), the
field it is about (so a form can mark it), and a stable snake_case ``code`` (so the
application and the tests can tell errors apart without parsing English).
"""


class DomainError(Exception):
    """A command was refused; nothing was recorded."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, field={self.field!r}, code={self.code!r})"


class TaxonomyError(DomainError):
    """A taxonomy file (the default or a federation's extension) is not valid."""

    def __init__(self, message: str, *, code: str = "bad_taxonomy") -> None:
        super().__init__(message, field=None, code=code)
