#!/usr/bin/env python3
"""A TCP proxy in front of a node's peer port, to cut its links on demand.

    link_proxy.py LISTEN_PORT TARGET_PORT

Forwards 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT. On SIGUSR1 it
resets every connection it carries and refuses new ones for CUT_SECONDS
(default 2): peers lose the node's links while the node itself, and its
heartbeats through Kafka, live on.
"""
import asyncio
import os
import signal
import socket
import struct
import sys

LISTEN_PORT = int(sys.argv[1])
TARGET_PORT = int(sys.argv[2])
CUT_SECONDS = float(os.environ.get("CUT_SECONDS", "2"))

links = set()


def reset(writer):
    # SO_LINGER 0: the peer sees a reset, as when a link breaks, not a close.
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()


async def pump(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def serve(client_reader, client_writer):
    try:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", TARGET_PORT)
    except OSError:
        client_writer.close()
        return
    pair = (client_writer, up_writer)
    links.add(pair)
    try:
        await asyncio.gather(pump(client_reader, up_writer), pump(up_reader, client_writer))
    finally:
        links.discard(pair)


async def main():
    loop = asyncio.get_running_loop()
    cut = asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, cut.set)
    while True:
        server = await asyncio.start_server(serve, "127.0.0.1", LISTEN_PORT, reuse_address=True)
        await cut.wait()
        cut.clear()
        server.close()
        for pair in list(links):
            for w in pair:
                reset(w)
        links.clear()
        print(f"link_proxy: cut the links of :{LISTEN_PORT} for {CUT_SECONDS} s", flush=True)
        await asyncio.sleep(CUT_SECONDS)


asyncio.run(main())
