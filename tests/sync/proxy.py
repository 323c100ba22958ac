"""A fault-injecting HTTP/1.1 proxy on loopback, written for the sync tests.

    proxy = FaultProxy(upstream_port, plan=lambda n, method, path: Fault.cut_request(0.5)
                       if n == 3 else Fault.PASS)
    proxy.start(); ... client talks to proxy.port ...; proxy.stop()

It understands just enough HTTP (Content-Length and chunked bodies, keep-alive) to apply one
fault per request: cut the request part-way, lose the reply after the server answered, cut or
corrupt the reply body, answer with a status of its own (500/503/429 + Retry-After), or pass.
A throttled mode limits the byte rate, adds latency, and cuts the connection every N bytes.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    kind: str = "pass"  # pass | cut_request | lose_reply | cut_reply | corrupt_reply | status
    fraction: float = 1.0
    status: int = 0
    headers: tuple[tuple[str, str], ...] = ()

    @staticmethod
    def cut_request(fraction: float) -> Fault:
        return Fault("cut_request", fraction)

    @staticmethod
    def cut_reply(fraction: float) -> Fault:
        return Fault("cut_reply", fraction)

    @staticmethod
    def answer(status: int, **headers: str) -> Fault:
        return Fault("status", status=status,
                     headers=tuple((k.replace("_", "-"), v) for k, v in headers.items()))


Fault.PASS = Fault()
Fault.LOSE_REPLY = Fault("lose_reply")
Fault.CORRUPT_REPLY = Fault("corrupt_reply")

Plan = Callable[[int, str, str], Fault]


@dataclass
class Throttle:
    bytes_per_second: float          # e.g. 256 kbit/s = 32_000
    delay: float = 0.0               # one-way latency added per request and per reply
    # Close whichever connection is carrying the byte that crosses each multiple of this
    # (counted over the whole link, both directions, like a radio link that drops).
    cut_every: int | None = None


class _Closed(Exception):
    pass


class _FairLock:
    """A first-come, first-served lock for the link.

    Connections share one link the way TCP flows share a radio link: in turns. Python's own
    Lock may hand itself straight back to the thread that just released it, so one
    connection could hold the link for a whole upload while another's reply starves.
    """

    def __init__(self):
        self._turns = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    def __enter__(self) -> None:
        with self._turns:
            ticket = self._next_ticket
            self._next_ticket += 1
            while ticket != self._serving:
                self._turns.wait()

    def __exit__(self, *exc) -> None:
        with self._turns:
            self._serving += 1
            self._turns.notify_all()


def _recv_until(sock: socket.socket, buffer: bytearray, marker: bytes) -> bytes:
    while marker not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise _Closed()
        buffer += chunk
    index = buffer.index(marker) + len(marker)
    head = bytes(buffer[:index])
    del buffer[:index]
    return head


def _recv_exact(sock: socket.socket, buffer: bytearray, size: int) -> bytes:
    while len(buffer) < size:
        chunk = sock.recv(65536)
        if not chunk:
            raise _Closed()
        buffer += chunk
    data = bytes(buffer[:size])
    del buffer[:size]
    return data


def _read_message(sock: socket.socket, buffer: bytearray) -> tuple[bytes, bytes]:
    """One HTTP message: (head, body as received on the wire)."""
    head = _recv_until(sock, buffer, b"\r\n\r\n")
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        if b":" in line:
            name, value = line.split(b":", 1)
            headers[name.strip().lower()] = value.strip()
    if b"content-length" in headers:
        return head, _recv_exact(sock, buffer, int(headers[b"content-length"]))
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = bytearray()
        while True:
            size_line = _recv_until(sock, buffer, b"\r\n")
            size = int(size_line.split(b";")[0].strip(), 16)
            body += size_line + _recv_exact(sock, buffer, size + 2)
            if size == 0:
                return head, bytes(body)
    return head, b""


class FaultProxy:
    def __init__(self, upstream_port: int, plan: Plan | None = None,
                 throttle: Throttle | None = None, upstream_host: str = "127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self.plan = plan or (lambda n, method, path: Fault.PASS)
        self.throttle = throttle
        self.requests = 0
        self.faults_applied: list[tuple[int, str, str]] = []
        self.bytes_up = 0
        self.bytes_down = 0
        self._lock = threading.Lock()
        self._link = _FairLock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        self._connections: list[socket.socket] = []
        self._link_bytes = 0
        self._next_cut = throttle.cut_every if throttle and throttle.cut_every else None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()
        for conn in list(self._connections):
            with contextlib.suppress(OSError):
                conn.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._connections.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _send(self, sock: socket.socket, data: bytes) -> None:
        """Send at the link's rate; raises _Closed when the link drops mid-way."""
        throttle = self.throttle
        if throttle is None:
            sock.sendall(data)
            return
        view = memoryview(data)
        while view:
            chunk = view[:2048]
            with self._link:  # one link: every connection shares its rate and its drops
                cut = False
                if self._next_cut is not None and self._link_bytes + len(chunk) >= self._next_cut:
                    chunk = chunk[: self._next_cut - self._link_bytes]
                    self._next_cut += throttle.cut_every
                    cut = True
                self._link_bytes += len(chunk)
                sock.sendall(chunk)
                time.sleep(len(chunk) / throttle.bytes_per_second)
            if cut:
                raise _Closed()
            view = view[len(chunk):]

    def _serve(self, client: socket.socket) -> None:
        upstream = None
        client_buffer, upstream_buffer = bytearray(), bytearray()
        try:
            while not self._stopped.is_set():
                head, body = _read_message(client, client_buffer)
                method, path = head.split(b" ", 2)[:2]
                with self._lock:
                    self.requests += 1
                    number = self.requests
                fault = self.plan(number, method.decode(), path.decode())
                if fault.kind != "pass":
                    self.faults_applied.append((number, fault.kind, path.decode()))
                if fault.kind == "status":
                    extra = "".join(f"{k}: {v}\r\n" for k, v in fault.headers)
                    payload = b'{"code": "unavailable", "message": "injected by the proxy"}'
                    client.sendall(
                        f"HTTP/1.1 {fault.status} Injected\r\nContent-Type: application/json"
                        f"\r\nContent-Length: {len(payload)}\r\n{extra}\r\n".encode() + payload
                    )
                    continue
                if upstream is None:
                    upstream = socket.create_connection(self.upstream)
                request = head + body
                if self.throttle and self.throttle.delay:
                    time.sleep(self.throttle.delay)
                if fault.kind == "cut_request":
                    upstream.sendall(request[: int(len(request) * fault.fraction)])
                    raise _Closed()
                self._send(upstream, request)
                self.bytes_up += len(request)
                reply_head, reply_body = _read_message(upstream, upstream_buffer)
                if fault.kind == "lose_reply":
                    raise _Closed()
                if fault.kind == "cut_reply":
                    client.sendall(reply_head + reply_body[: int(len(reply_body) * fault.fraction)])
                    raise _Closed()
                if fault.kind == "corrupt_reply":
                    reply_body = b"\x00" * len(reply_body)
                if self.throttle and self.throttle.delay:
                    time.sleep(self.throttle.delay)
                self._send(client, reply_head + reply_body)
                self.bytes_down += len(reply_head) + len(reply_body)
        except (_Closed, OSError, ValueError, IndexError):
            pass
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
