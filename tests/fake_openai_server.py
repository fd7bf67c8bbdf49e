"""A local OpenAI-compatible HTTP server on loopback, scripted per test.

It speaks just enough of /v1/chat/completions and /v1/completions (streaming SSE and
plain JSON) to exercise the real openai and langchain-openai clients end to end.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAIServer:
    def __init__(self) -> None:
        self.script: deque[tuple[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                # The client may give up first (timeout tests).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._handle()

            def _handle(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(
                    {
                        "path": self.path,
                        "body": body,
                        "authorization": self.headers.get("authorization"),
                    }
                )
                action, arg = server.script.popleft() if server.script else ("text", "ok")
                if action == "status":
                    code, headers = arg if isinstance(arg, tuple) else (arg, {})
                    payload = json.dumps(
                        {"error": {"message": f"scripted {code}", "type": "test"}}
                    ).encode()
                    self.send_response(code)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if self.path.endswith("/embeddings"):
                    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    data = [
                        {
                            "object": "embedding",
                            "index": i,
                            "embedding": [float(len(t) % 7 + 1), 2.0, 3.0],
                        }
                        for i, t in enumerate(inputs)
                    ]
                    payload = json.dumps(
                        {
                            "object": "list",
                            "data": data,
                            "model": body["model"],
                            "usage": {"prompt_tokens": 1, "total_tokens": 1},
                        }
                    ).encode()
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if action == "sleep":
                    time.sleep(arg)
                    action, arg = "text", "late"
                chat = self.path.endswith("/chat/completions")
                if body.get("stream"):
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    self.end_headers()
                    for word in str(arg).split(" "):
                        piece = word + " "
                        choice = (
                            {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                            if chat
                            else {"index": 0, "text": piece, "finish_reason": None}
                        )
                        chunk = {
                            "id": "x",
                            "object": "chat.completion.chunk",
                            "created": 0,
                            "model": body.get("model"),
                            "choices": [choice],
                        }
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                    return
                message = (
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": arg},
                        "finish_reason": "stop",
                    }
                    if chat
                    else {"index": 0, "text": arg, "finish_reason": "stop"}
                )
                payload = json.dumps(
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model"),
                        "choices": [message],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
