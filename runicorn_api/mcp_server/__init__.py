"""An MCP (Model Context Protocol) server over the SDK: ``runicorn-api mcp``.

* :mod:`.tools`: what each tool does, over a fleet of viewers (no MCP in it);
* :mod:`.bounds`: answers of bounded size, server text escaped, secrets redacted;
* :mod:`.server`: the tools, a run resource and a prompt on the ``mcp`` SDK, over stdio.

Needs the ``mcp`` extra, in an environment of its own (see the guide "AI assistants").
"""

from __future__ import annotations
