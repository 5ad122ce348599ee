"""Errors a user can act on.

Every :class:`UserError` is printed as one line by the command-line interface,
which then exits with status 2. The message names the problem and the fix.
"""

from __future__ import annotations

EXIT_USER_ERROR = 2


class UserError(Exception):
    """A problem with the user's input: printed as one line, exit code 2."""


class SpecError(UserError):
    """A cell specification (``cell.toml``) that fails its schema.

    Args:
        path: the file that holds the problem.
        field: dotted name of the offending field (``inputs.excitatory``).
        problem: what is wrong.
        fix: what to do about it.
    """

    def __init__(self, path: object, field: str, problem: str, fix: str) -> None:
        self.path = str(path)
        self.field = field
        self.problem = problem
        self.fix = fix
        super().__init__(f"{self.path}: field '{field}': {problem}; fix: {fix}")

    def __reduce__(self) -> tuple[type, tuple[str, str, str, str]]:
        # picklable, so that one raised in a worker process reaches the parent intact
        return (type(self), (self.path, self.field, self.problem, self.fix))


class UnknownCellError(UserError):
    """A cell name that is not in the registry."""


class CalibrationError(UserError):
    """An input-rate calibration that did not reach its target rate."""


class DataUnavailableError(UserError):
    """A cell's data file that could be neither read from a mirror nor downloaded."""
