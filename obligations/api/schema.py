"""The OpenAPI description of how the API authenticates (drf-spectacular extensions): a bearer
token, or for reads the browser's session."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "obligations.api.tokens.BearerTokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http", "scheme": "bearer",
            "description": "A personal API token (made on the API tokens page), sent as "
                           "`Authorization: Bearer <token>`. Needed for every change.",
        }  # fmt: skip


class SessionReadScheme(OpenApiAuthenticationExtension):
    target_class = "obligations.api.tokens.SessionReadAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "A signed-in browser's session: reads only."}  # fmt: skip
