"""Print the WebSocket routes of a runicorn viewer app as JSON: run in that viewer's venv
(``python ws_routes.py STORAGE``); they are not in its OpenAPI document."""

import json
import sys

from runicorn.viewer import create_app


def walk(routes, prefix=""):
    for route in routes:
        name = type(route).__name__
        if "WebSocket" in name:
            yield prefix + route.path
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            extra = getattr(context, "prefix", "") or ""
            yield from walk(inner.routes, prefix + extra + (inner.prefix or ""))


print(json.dumps(sorted(set(walk(create_app(sys.argv[1]).routes)))))
