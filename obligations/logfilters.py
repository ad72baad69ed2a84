"""Log filters. A feed's token is its only credential: it must never reach a log line, not even
in Django's "Not Found: /calendar/<token>.ics" warning or runserver's access line."""

import logging
import re

FEED_PATH = re.compile(r"/calendar/[^/\s\"'?]+\.ics")


class RedactFeedTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/calendar/" in message:
            record.msg, record.args = FEED_PATH.sub("/calendar/[redacted].ics", message), ()
        return True
