"""Errors whose message is meant for the user (in Dutch)."""


class SamenspelError(Exception):
    """An error with a Dutch message for the user and a process exit code."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message
