"""structlog configured for JSON lines with request ids.

Personal data never reaches a log: callers log ids and codes only, and, as a second line of
defence, a processor drops any key whose name says it holds personal or free text.
"""

from __future__ import annotations

import logging
import sys

import structlog

# Keys that could only carry personal data or free text. Dropped, not masked: a mask still
# tells a reader that, say, a phone number exists.
FORBIDDEN_KEYS = frozenset(
    {
        "pseudonym", "legal_name", "name", "phone", "document_number", "note", "notes",
        "description", "details", "profile", "status", "body", "password", "text",
        "narrative", "sealed_profile", "sealed_description", "sealed_status",
    }
)


def drop_personal_keys(_logger, _method, event_dict):
    for key in FORBIDDEN_KEYS.intersection(event_dict):
        del event_dict[key]
    return event_dict


def configure_logging(level: str = "INFO", stream=None) -> None:
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    stream = stream or sys.stderr
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        drop_personal_keys,
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    # Third-party stdlib loggers (uvicorn, psycopg) become JSON lines too, same level.
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, structlog.processors.JSONRenderer()],
    ))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    # uvicorn's access log prints whole request lines; ours (ids only) replaces it.
    logging.getLogger("uvicorn.access").disabled = True
    # The embedded server's library and uvicorn narrate every start and stop at INFO; a
    # quiet process says only what matters (their warnings and errors still show).
    for chatty in ("pgserver", "uvicorn.error"):
        logging.getLogger(chatty).setLevel(max(numeric, logging.WARNING))
