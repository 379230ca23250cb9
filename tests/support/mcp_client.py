"""An MCP client session against ``runicorn-api mcp``, run by the ``mcp`` extra's venv.

``python mcp_client.py SCRIPT.json``: the script names the server command and the calls
to make; the answers go to stdout as one JSON document. It uses the ``mcp`` package's own
client (``stdio_client`` + ``ClientSession``), which starts the server as a subprocess
over stdio, as an assistant's host does. Imported by nothing: the test suite's venv
cannot install ``mcp`` (see the ``mcp`` extra in ``pyproject.toml``).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client


def _dump(result: Any) -> Any:
    return result.model_dump(mode="json", by_alias=False, exclude_none=True)


async def _run(script: dict[str, Any]) -> dict[str, Any]:
    params = StdioServerParameters(
        command=script["command"][0], args=script["command"][1:], env=script.get("env")
    )
    with open(script["stderr"], "w") as errlog:
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            out: dict[str, Any] = {
                "tools": _dump(await session.list_tools())["tools"],
                "templates": _dump(await session.list_resource_templates()),
                "resources": _dump(await session.list_resources()),
                "prompts": _dump(await session.list_prompts()),
                "calls": [],
            }
            for call in script["calls"]:
                kind = call.get("kind", "tool")
                if kind == "tool":
                    result = await session.call_tool(call["name"], call.get("arguments", {}))
                elif kind == "resource":
                    result = await session.read_resource(call["uri"])
                else:
                    result = await session.get_prompt(call["name"], call.get("arguments", {}))
                out["calls"].append(_dump(result))
            return out


def main() -> None:
    with open(sys.argv[1]) as handle:
        script = json.load(handle)
    sys.stdout.write(json.dumps(anyio.run(_run, script)))


if __name__ == "__main__":
    main()
