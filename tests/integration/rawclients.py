#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile raw TCP clients for the robustness stage.

usage: rawclients.py PORT [ROUNDS [IDLE [SECONDS]]]

Opens IDLE (default 4) connections that send nothing and stay open for the
whole run, then runs ROUNDS (default 20) rounds, spread over at least
SECONDS (default 5) so that they overlap a real client; in each round these
clients run in parallel, each on its own connection:
  garbage     1 MiB from /dev/urandom
  short       a 4-byte header announcing 1000 bytes, then 10 bytes, close
  negotiate   a whole SMB2 NEGOTIATE, wait for the answer, then half of a
              second PDU, close
  half-neg    a header for a NEGOTIATE and half of its body, close
  huge        length headers at or above the 24-bit maximum
              (00 ff ff ff, ff ff ff ff, 01 00 00 00) with a few bytes, close
A client whose connection the server resets or closes is fine; a refused
connection (nobody listening) or a NEGOTIATE that gets no SMB2 answer is a
failure.  Prints a summary; exit status 0 when nothing failed.
"""
import os
import socket
import struct
import sys
import threading
import time

HOST = "127.0.0.1"
TIMEOUT = 10.0


def smb2_negotiate():
    """An SMB2 NEGOTIATE request ([MS-SMB2] 2.2.3) offering 2.0.2 to 3.0.2,
    framed with the 4-byte direct-TCP header."""
    dialects = [0x0202, 0x0210, 0x0300, 0x0302]
    header = struct.pack(
        "<4sHHIHHIIQIIQ16s",
        b"\xfeSMB",  # ProtocolId
        64,  # StructureSize
        0,  # CreditCharge
        0,  # Status
        0x0000,  # Command: NEGOTIATE
        1,  # CreditRequest
        0,  # Flags
        0,  # NextCommand
        0,  # MessageId
        0,  # Reserved (ProcessId)
        0,  # TreeId
        0,  # SessionId
        b"\0" * 16,  # Signature
    )
    body = struct.pack("<HHHHI16sQ", 36, len(dialects), 1, 0, 0,
                       os.urandom(16), 0)
    body += struct.pack("<%dH" % len(dialects), *dialects)
    pdu = header + body
    return struct.pack(">I", len(pdu)) + pdu


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.failures = []

    def add(self, what):
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def fail(self, why):
        with self.lock:
            self.failures.append(why)


def connect():
    s = socket.create_connection((HOST, PORT), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def guarded(name, fn, tally):
    try:
        fn(tally)
        tally.add(name + ":done")
    except ConnectionRefusedError:
        tally.fail("%s: connection refused (server not listening)" % name)
    except (ConnectionResetError, BrokenPipeError):
        tally.add(name + ":closed-by-server")
    except socket.timeout:
        tally.add(name + ":timeout")
    except AssertionError as e:
        tally.fail("%s: %s" % (name, e))
    except OSError as e:
        tally.fail("%s: %s" % (name, e))


def close_quietly(s):
    try:
        s.close()
    except OSError:
        pass


def garbage(tally):
    s = connect()
    try:
        with open("/dev/urandom", "rb") as f:
            data = f.read(1 << 20)
        s.sendall(data)
    finally:
        close_quietly(s)


def short(tally):
    s = connect()
    try:
        s.sendall(struct.pack(">I", 1000) + b"\xfeSMB" + b"\0" * 6)
    finally:
        close_quietly(s)


def recv_pdu(s):
    hdr = b""
    while len(hdr) < 4:
        chunk = s.recv(4 - len(hdr))
        if not chunk:
            return None
        hdr += chunk
    want = struct.unpack(">I", hdr)[0] & 0xFFFFFF
    data = b""
    while len(data) < want:
        chunk = s.recv(min(65536, want - len(data)))
        if not chunk:
            return None
        data += chunk
    return data


def negotiate(tally):
    s = connect()
    try:
        s.sendall(smb2_negotiate())
        resp = recv_pdu(s)
        assert resp is not None, "NEGOTIATE: connection closed without answer"
        assert resp[:4] == b"\xfeSMB", "NEGOTIATE: answer is not SMB2"
        status, command = struct.unpack_from("<IH", resp, 8)
        assert command == 0, "NEGOTIATE: answer has command %d" % command
        assert status == 0, "NEGOTIATE: status 0x%08x" % status
        second = smb2_negotiate()
        # A second PDU, cut in the middle of its header.
        s.sendall(second[:40])
    finally:
        close_quietly(s)


def half_negotiate(tally):
    s = connect()
    try:
        pdu = smb2_negotiate()
        s.sendall(pdu[:len(pdu) // 2])
    finally:
        close_quietly(s)


def huge(tally):
    for hdr in (b"\x00\xff\xff\xff", b"\xff\xff\xff\xff", b"\x01\x00\x00\x00"):
        s = connect()
        try:
            s.sendall(hdr + b"\xfeSMB" + b"\0" * 60)
        finally:
            close_quietly(s)


ATTACKS = [("garbage", garbage), ("short", short), ("negotiate", negotiate),
           ("half-neg", half_negotiate), ("huge", huge)]


def main(argv):
    global PORT
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    PORT = int(argv[1])
    rounds = int(argv[2]) if len(argv) > 2 else 20
    nidle = int(argv[3]) if len(argv) > 3 else 4
    seconds = float(argv[4]) if len(argv) > 4 else 5.0
    tally = Tally()
    idle = []
    for _ in range(nidle):
        try:
            idle.append(connect())
        except OSError as e:
            tally.fail("idle: %s" % e)
    start = time.monotonic()
    for r in range(rounds):
        # Pace the rounds over the wanted duration.
        delay = start + seconds * r / rounds - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        threads = [threading.Thread(target=guarded, args=(n, fn, tally))
                   for n, fn in ATTACKS]
        for t in threads:
            t.start()
        for t in threads:
            t.join(3 * TIMEOUT)
            if t.is_alive():
                tally.fail("a client thread hung for %ds" % (3 * TIMEOUT))
    # Idle clients: the server may have closed them (an idle timeout), or
    # not; either is fine.  Report which.
    open_idle = 0
    for s in idle:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                tally.add("idle:closed-by-server")
            else:
                tally.add("idle:got-data")
        except BlockingIOError:
            open_idle += 1
        except OSError:
            tally.add("idle:closed-by-server")
        close_quietly(s)
    tally.counts["idle:still-open"] = open_idle
    print("rawclients: %d rounds in %.1f s" % (rounds, time.monotonic() - start))
    for k in sorted(tally.counts):
        print("  %s %d" % (k, tally.counts[k]))
    for f in tally.failures[:20]:
        print("FAILURE: %s" % f)
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
