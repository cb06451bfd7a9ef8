"""售后服务情景陪练 — after-sales service role-play simulator.

The domain core (``text``, ``phrasebook``, ``matcher``, ``judge``, ``scoring``,
``scenario``, ``dialogue``) knows nothing of terminals or databases; the CLI,
the TUI and the store are thin adapters around it.
"""

__version__ = "0.1.0"
