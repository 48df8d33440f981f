"""The read side: one module per view, the batched runner, and the indicators.

A view module owns three things: its tables (DDL), how events change them (``apply``), and
async read functions over asyncpg. Projections never issue commands and import nothing of
ours but the domain.
"""
