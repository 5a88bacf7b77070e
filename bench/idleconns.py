#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""idleconns.py HOST PORT N HOLD_SECONDS

Open up to N TCP connections to an SMB server, send one SMB2 NEGOTIATE
([MS-SMB2] 2.2.3, dialects 2.0.2-3.0.2, so no negotiate contexts) on each
and read its response, then keep them all open and idle.  Prints one line
"OPEN n FAILED f" when they are all set up and flushes, then holds them
for HOLD_SECONDS (or until killed: the kernel closes them) and closes.

Bounded: every connect/read has a 10 s timeout and the whole set-up
stops after 120 s.
"""
import os
import socket
import struct
import sys
import time

DIALECTS = (0x0202, 0x0210, 0x0300, 0x0302)


def negotiate_request(tag):
    dialects = b"".join(struct.pack("<H", d) for d in DIALECTS)
    # SMB2 header: protocol id, structure size 64, credit charge 0,
    # status 0, command NEGOTIATE (0), credits 1, flags 0, next 0,
    # message id, reserved, tree id 0, session id 0, signature 0.
    hdr = struct.pack("<4sHHIHHIIQIIQ16s", b"\xfeSMB", 64, 0, 0, 0, 1, 0, 0,
                      0, 0, 0, 0, b"\0" * 16)
    # NEGOTIATE: size 36, dialect count, security mode 1 (signing
    # enabled), reserved, capabilities 0, client guid, start time 0.
    # A GUID of its own per connection: servers that support
    # multichannel (Samba) hand connections of one client GUID to one
    # process, which would not be 1,000 independent clients.  Not
    # os.urandom: it blocks in a fresh guest whose entropy pool is not
    # ready; unique is all a GUID needs here.
    guid = struct.pack("<IIQ", os.getpid(), tag, time.time_ns())
    body = struct.pack("<HHHHI16sQ", 36, len(DIALECTS), 1, 0, 0,
                       guid, 0) + dialects
    pdu = hdr + body
    return struct.pack(">I", len(pdu)) + pdu


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def negotiate(host, port, n):
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(negotiate_request(n))
    length = struct.unpack(">I", recv_exact(s, 4))[0] & 0xFFFFFF
    if length < 64 or length > (1 << 20):
        raise ValueError(f"bad response length {length}")
    resp = recv_exact(s, length)
    if resp[:4] != b"\xfeSMB":
        raise ValueError("not an SMB2 response")
    status = struct.unpack("<I", resp[8:12])[0]
    if status != 0:
        raise ValueError(f"status 0x{status:08x}")
    return s


def main():
    host, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        float(sys.argv[4])
    conns, failed, last_err = [], 0, ""
    deadline = time.monotonic() + 120
    for i in range(n):
        if time.monotonic() > deadline:
            break
        try:
            conns.append(negotiate(host, port, i))
        except (OSError, ValueError, ConnectionError) as e:
            failed += 1
            last_err = str(e)
            if failed >= 50:
                break
    print(f"OPEN {len(conns)} FAILED {failed}"
          + (f" ({last_err})" if last_err else ""), flush=True)
    time.sleep(hold)
    for s in conns:
        s.close()


if __name__ == "__main__":
    main()
