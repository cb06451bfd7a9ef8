"""Store errors, with messages in Chinese."""


class StoreError(Exception):
    """The progress database cannot be used; the message says why and what to do."""
