#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Raw SMB2 requests that smbclient cannot send, through impacket.

usage:
  smb2raw.py create PORT USER PASS SHARE NAME...
      SMB2 CREATE (FILE_OPEN_IF, read access) with each NAME exactly as
      given (no normalisation: impacket's own create() would collapse
      "..").  Prints "NAME<TAB>STATUS" per name; STATUS is
      STATUS_SUCCESS or the NT status name.
  smb2raw.py unsigned PORT USER PASS SHARE
      Log in, then stop signing and send TREE_CONNECT unsigned.  Prints
      the status, or "DISCONNECTED" if the server dropped the connection.
  smb2raw.py tree PORT USER PASS SHARE
      Log in and tree connect; prints the status of the tree connect.

The dialect is 3.0 unless SMB2RAW_DIALECT=2.0.2|2.1|3.1.1 is set
(impacket 0.10 signs 3.1.1 wrongly, so 3.1.1 sessions fail signing).  Exit
status 0 when every request was answered (whatever the status), 2 on a
usage error, 3 when the session could not be set up.
"""
import os
import sys

from impacket import nt_errors
from impacket import smb3structs as s3
from impacket.smbconnection import SMBConnection, SessionError

HOST = "127.0.0.1"
DIALECTS = {
    "2.0.2": s3.SMB2_DIALECT_002,
    "2.1": s3.SMB2_DIALECT_21,
    "3.0": s3.SMB2_DIALECT_30,
    "3.1.1": s3.SMB2_DIALECT_311,
}


def status_name(code):
    if code == 0:
        return "STATUS_SUCCESS"
    msg = nt_errors.ERROR_MESSAGES.get(code)
    return msg[0] if msg else "0x%08x" % code


def connect(port, user, password):
    dialect = DIALECTS[os.environ.get("SMB2RAW_DIALECT", "3.0")]
    conn = SMBConnection(HOST, HOST, sess_port=int(port), timeout=30,
                         preferredDialect=dialect)
    # impacket encrypts every 3.x session the server offers encryption
    # for; an encrypted request carries no signature, which would hide
    # what these tests look at.  Stay with plain, signed requests.
    conn.getSMBServer()._Connection["SupportsEncryption"] = False
    conn.login(user, password)
    return conn


def exchange(smb, tid, command, req):
    """Send one request on tree tid and return the answer packet."""
    pkt = smb.SMB_PACKET()
    pkt["Command"] = command
    pkt["TreeID"] = tid
    pkt["Data"] = req
    return smb.recvSMB(smb.sendSMB(pkt))


def raw_create(smb, tid, name):
    """One SMB2 CREATE with name taken byte for byte; returns the status."""
    req = s3.SMB2Create()
    req["SecurityFlags"] = 0
    req["RequestedOplockLevel"] = s3.SMB2_OPLOCK_LEVEL_NONE
    req["ImpersonationLevel"] = s3.SMB2_IL_IMPERSONATION
    req["DesiredAccess"] = s3.FILE_READ_DATA | s3.FILE_READ_ATTRIBUTES
    req["FileAttributes"] = s3.FILE_ATTRIBUTE_NORMAL
    req["ShareAccess"] = s3.FILE_SHARE_READ | s3.FILE_SHARE_WRITE
    req["CreateDisposition"] = s3.FILE_OPEN_IF
    req["CreateOptions"] = s3.FILE_NON_DIRECTORY_FILE
    encoded = name.encode("utf-16-le")
    req["NameLength"] = len(encoded)
    req["Buffer"] = encoded if encoded else b"\x00"
    req["CreateContextsOffset"] = 0
    req["CreateContextsLength"] = 0
    ans = exchange(smb, tid, s3.SMB2_CREATE, req)
    status = ans["Status"]
    if status == 0:
        resp = s3.SMB2Create_Response(ans["Data"])
        raw_close(smb, tid, resp["FileID"])
    return status


def raw_close(smb, tid, file_id):
    # impacket's close() only knows handles its own create() opened.
    req = s3.SMB2Close()
    req["Flags"] = 0
    req["FileID"] = file_id
    exchange(smb, tid, s3.SMB2_CLOSE, req)


def cmd_create(port, user, password, share, names):
    conn = connect(port, user, password)
    tid = conn.connectTree(share)
    smb = conn.getSMBServer()
    for name in names:
        try:
            print("%s\t%s" % (name, status_name(raw_create(smb, tid, name))))
        except SessionError as e:
            print("%s\t%s" % (name, status_name(e.getErrorCode())))
        sys.stdout.flush()
    conn.close()
    return 0


def cmd_unsigned(port, user, password, share):
    conn = connect(port, user, password)
    smb = conn.getSMBServer()
    # From here on impacket sends requests without SMB2_FLAGS_SIGNED.
    smb._Session["SigningActivated"] = False
    try:
        conn.connectTree(share)
        print("STATUS_SUCCESS")
    except SessionError as e:
        print(status_name(e.getErrorCode()))
    except Exception as e:  # connection dropped: also a refusal
        print("DISCONNECTED (%s)" % type(e).__name__)
    return 0


def cmd_tree(port, user, password, share):
    conn = connect(port, user, password)
    try:
        conn.connectTree(share)
        print("STATUS_SUCCESS")
    except SessionError as e:
        print(status_name(e.getErrorCode()))
    conn.close()
    return 0


def main(argv):
    if len(argv) < 6 or argv[1] not in ("create", "unsigned", "tree"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    cmd, port, user, password, share = argv[1:6]
    try:
        if cmd == "create":
            return cmd_create(port, user, password, share, argv[6:])
        if cmd == "unsigned":
            return cmd_unsigned(port, user, password, share)
        return cmd_tree(port, user, password, share)
    except SessionError as e:
        print("SESSION-SETUP-FAILED\t%s" % status_name(e.getErrorCode()))
        return 3
    except OSError as e:
        print("CONNECTION-FAILED\t%s" % e)
        return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))
