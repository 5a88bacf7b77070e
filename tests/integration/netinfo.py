#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Ask an SMB3 server for its network interfaces (impacket).

usage: netinfo.py HOST PORT USER PASS

Logs in, connects to IPC$ and sends FSCTL_QUERY_NETWORK_INTERFACE_INFO
([MS-SMB2] 2.2.31.5, FileId all-FF, no input, MaxOutputResponse 64 KiB).
Prints one line per NETWORK_INTERFACE_INFO entry:

  ifindex=3 rdma=1 rss=0 speed=10000000000 addr=10.99.0.1

The reply is checked on the way: every entry 152 bytes with Next 152 (or
0 on the last), Reserved 0, a known family (0x2 or 0x17) with Port 0,
no unknown Capability bits, nothing after the last entry.  SMB 3.0 is
used unless NETINFO_DIALECT=3.1.1 is set.  Exit status: 0 on a
well-formed reply, 2 usage, 3 no session, 4 the IOCTL failed (status
printed), 5 malformed reply (reason printed).
"""
import os
import socket
import struct
import sys

from impacket import nt_errors
from impacket import smb3structs as s3
from impacket.smbconnection import SMBConnection, SessionError

FSCTL_QUERY_NETWORK_INTERFACE_INFO = 0x001401FC
ENTRY_SIZE = 152
DIALECTS = {
    "3.0": s3.SMB2_DIALECT_30,
    "3.1.1": s3.SMB2_DIALECT_311,
}


def status_name(code):
    msg = nt_errors.ERROR_MESSAGES.get(code)
    return msg[0] if msg else "0x%08x" % code


def parse(buf):
    """The entries as (ifindex, caps, speed, address) tuples."""
    entries, off = [], 0
    while True:
        if off + ENTRY_SIZE > len(buf):
            raise ValueError("entry at %d runs past %d bytes" % (off, len(buf)))
        nxt, idx, caps, res, speed = struct.unpack_from("<IIIIQ", buf, off)
        fam, port = struct.unpack_from("<HH", buf, off + 24)
        if res != 0:
            raise ValueError("Reserved %#x at entry %d" % (res, len(entries)))
        if caps & ~0x3:
            raise ValueError("Capability %#x at entry %d" % (caps, len(entries)))
        if port != 0:
            raise ValueError("Port %d at entry %d" % (port, len(entries)))
        if fam == 0x2:
            addr = socket.inet_ntop(socket.AF_INET, buf[off + 28:off + 32])
        elif fam == 0x17:
            addr = socket.inet_ntop(socket.AF_INET6, buf[off + 32:off + 48])
        else:
            raise ValueError("family %#x at entry %d" % (fam, len(entries)))
        entries.append((idx, caps, speed, addr))
        if nxt == 0:
            break
        if nxt != ENTRY_SIZE:
            raise ValueError("Next %d at entry %d" % (nxt, len(entries) - 1))
        off += nxt
    if off + ENTRY_SIZE != len(buf):
        raise ValueError("%d bytes after the last entry"
                         % (len(buf) - off - ENTRY_SIZE))
    return entries


def main(argv):
    if len(argv) != 5:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    host, port, user, password = argv[1:]
    dialect = DIALECTS[os.environ.get("NETINFO_DIALECT", "3.0")]
    try:
        conn = SMBConnection(host, host, sess_port=int(port), timeout=30,
                             preferredDialect=dialect)
        # Plain signed requests (impacket would encrypt when offered).
        conn.getSMBServer()._Connection["SupportsEncryption"] = False
        conn.login(user, password)
        tid = conn.connectTree("IPC$")
    except Exception as e:  # noqa: BLE001 - any failure means no session
        print("no session: %s" % e)
        return 3
    try:
        out = conn.getSMBServer().ioctl(
            tid, None, FSCTL_QUERY_NETWORK_INTERFACE_INFO,
            flags=s3.SMB2_0_IOCTL_IS_FSCTL, inputBlob=b"",
            maxInputResponse=0, maxOutputResponse=65536)
    except SessionError as e:
        print(status_name(e.getErrorCode()))
        return 4
    finally:
        conn.close()
    if isinstance(out, str):
        out = out.encode("latin-1")
    if not out:
        return 0
    try:
        entries = parse(bytes(out))
    except ValueError as e:
        print("malformed: %s" % e)
        return 5
    for idx, caps, speed, addr in entries:
        print("ifindex=%d rdma=%d rss=%d speed=%d addr=%s"
              % (idx, (caps >> 1) & 1, caps & 1, speed, addr))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
