"""organize: an event-sourced CRM for worker organising and collective bargaining.

This package holds the application (commands, idempotency, consent checks), personal-data
keys and erasure, the transcoder, exports and the CLI. The pure domain is in
``organize.domain``; the read side is in ``organize.projections``.
"""
