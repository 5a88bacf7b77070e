#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Add or replace a user in a ksmbdpwd.db ("user:base64(NT hash)" lines).

Stand-in for `ksmbd.adduser --pwddb=FILE -a USER -p PASS` until that tool
is built.  The NT hash is MD4(UTF-16LE(password)); MD4 is written out here
from RFC 1320 because hashlib's OpenSSL build no longer offers it.

usage: pwddb.py FILE USER PASS
       pwddb.py --selftest
"""
import base64
import os
import struct
import sys

MASK = 0xFFFFFFFF


def _rotl(x, n):
    x &= MASK
    return ((x << n) | (x >> (32 - n))) & MASK


def md4(data):
    """MD4 digest of data (RFC 1320)."""
    msg = bytearray(data)
    bit_len = (8 * len(data)) & 0xFFFFFFFFFFFFFFFF
    msg.append(0x80)
    while len(msg) % 64 != 56:
        msg.append(0)
    msg += struct.pack("<Q", bit_len)
    a, b, c, d = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", bytes(msg[off:off + 64]))
        aa, bb, cc, dd = a, b, c, d

        def f(x_, y, z):
            return (x_ & y) | (~x_ & z)

        def g(x_, y, z):
            return (x_ & y) | (x_ & z) | (y & z)

        def h(x_, y, z):
            return x_ ^ y ^ z

        # Round 1
        for i in (0, 4, 8, 12):
            a = _rotl(a + f(b, c, d) + x[i], 3)
            d = _rotl(d + f(a, b, c) + x[i + 1], 7)
            c = _rotl(c + f(d, a, b) + x[i + 2], 11)
            b = _rotl(b + f(c, d, a) + x[i + 3], 19)
        # Round 2
        for i in (0, 1, 2, 3):
            a = _rotl(a + g(b, c, d) + x[i] + 0x5A827999, 3)
            d = _rotl(d + g(a, b, c) + x[i + 4] + 0x5A827999, 5)
            c = _rotl(c + g(d, a, b) + x[i + 8] + 0x5A827999, 9)
            b = _rotl(b + g(c, d, a) + x[i + 12] + 0x5A827999, 13)
        # Round 3
        for i in (0, 2, 1, 3):
            a = _rotl(a + h(b, c, d) + x[i] + 0x6ED9EBA1, 3)
            d = _rotl(d + h(a, b, c) + x[i + 8] + 0x6ED9EBA1, 9)
            c = _rotl(c + h(d, a, b) + x[i + 4] + 0x6ED9EBA1, 11)
            b = _rotl(b + h(c, d, a) + x[i + 12] + 0x6ED9EBA1, 15)
        a = (a + aa) & MASK
        b = (b + bb) & MASK
        c = (c + cc) & MASK
        d = (d + dd) & MASK
    return struct.pack("<4I", a, b, c, d)


def nt_hash(password):
    return md4(password.encode("utf-16-le"))


def selftest():
    # RFC 1320 appendix A.5 test suite.
    vectors = {
        b"": "31d6cfe0d16ae931b73c59d7e0c089c0",
        b"a": "bde52cb31de33e46245e05fbdbd6fb24",
        b"abc": "a448017aaf21d8525fc10ae87aa6729d",
        b"message digest": "d9130a8164549fe818874806e1c7014b",
        b"abcdefghijklmnopqrstuvwxyz": "d79e1c308aa5bbcdeea8ed63df412da9",
        b"1234567890" * 8: "e33b4ddc9c38f2199c3e7b164fcc0536",
    }
    for msg, want in vectors.items():
        got = md4(msg).hex()
        if got != want:
            print("md4(%r) = %s, want %s" % (msg, got, want))
            return 1
    # [MS-NLMP] 4.2.2.1.2: NTOWFv1("Password")
    if nt_hash("Password").hex() != "a4f49c406510bdcab6824ee7c30fd852":
        print("NT hash of 'Password' wrong")
        return 1
    print("ok")
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--selftest":
        return selftest()
    if len(argv) != 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, user, password = argv[1:]
    if not user or ":" in user or "\n" in user:
        print("pwddb.py: bad user name %r" % user, file=sys.stderr)
        return 2
    line = "%s:%s\n" % (user, base64.b64encode(nt_hash(password)).decode())
    kept = []
    if os.path.exists(path):
        with open(path) as fh:
            kept = [ln for ln in fh if ln.split(":", 1)[0] != user]
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        fh.writelines(kept)
        fh.write(line)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
