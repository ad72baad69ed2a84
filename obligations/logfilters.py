"""Log redaction. A feed's token is its only credential: it must never reach a log line, not in
Django's "Not Found: /calendar/<token>" warning, runserver's access line or gunicorn's.

Every path under the feed prefix is redacted, whatever follows the token (".ics", ".ICS",
nothing, a query) and in any case ("/Calendar/..."): a mistyped or probed feed address is a 404
whose path still holds a real token. The month page, "/calendar/" itself, is kept.

The redaction happens where each record is made (`configure`, Django's LOGGING_CONFIG, installs
it as the log record factory), so it holds for every logger and handler in the process: ours,
Django's, django-q2's and gunicorn's access and error logs, which gunicorn configures itself
before Django loads. The filter on our console handler does the same for records made before.
"""

import logging
import logging.config
import re
from collections.abc import Mapping

FEED_PREFIX = "/calendar/"
FEED_PATH = re.compile(r"/calendar/(?!\?)[^/\s\"'<>]+", re.IGNORECASE)
REDACTED = "/calendar/[redacted]"


def redact(text: str) -> str:
    return FEED_PATH.sub(REDACTED, text)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Replace a record's message and arguments by the redacted message, when it names a path
    under the feed prefix (its arguments are then empty: nothing of the path is left in them).
    Arguments the message does not show are redacted too: gunicorn passes every request
    attribute (path, request line, query) whatever its access log format prints, and a
    structured handler may write them all."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 (a bad format or __str__: logging reports it on emit)
        return record
    if FEED_PATH.search(message):
        record.msg, record.args = redact(message), ()
    elif isinstance(record.args, Mapping):
        record.args = {key: _redact_value(value) for key, value in record.args.items()}
    elif isinstance(record.args, tuple):
        record.args = tuple(_redact_value(value) for value in record.args)
    return record


def _redact_value(value):
    return redact(value) if isinstance(value, str) and FEED_PATH.search(value) else value


class RedactFeedTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install_record_factory() -> None:
    """Make every log record of this process redacted at birth (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts_feed_tokens", False):
        return

    def factory(*args, **kwargs):
        return redact_record(current(*args, **kwargs))

    factory.redacts_feed_tokens = True
    logging.setLogRecordFactory(factory)


def configure(config: dict) -> None:
    """settings.LOGGING_CONFIG: dictConfig, with every record redacted."""
    install_record_factory()
    logging.config.dictConfig(config)
