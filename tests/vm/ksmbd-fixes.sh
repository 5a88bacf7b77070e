#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ksmbd-fixes.sh DIR - the minimal edits that make Debian's 6.1 ksmbd
# (fs/smb/server in linux-source-6.1, DIR) serve files with ksmbd-tools
# 3.4.7.  Each edit is checked: if the source moves on and a pattern no
# longer matches, the build stops here instead of building an unfixed
# module.  Used only for the reference peer (scenario ksmbd-ref).
set -euo pipefail
dir=$1

# must_change FILE SED_SCRIPT WHAT: apply one edit, fail if it changed nothing.
must_change() {
	local file=$dir/$1 before
	before=$(sha256sum "$file")
	sed -i "$2" "$file"
	if [ "$(sha256sum "$file")" = "$before" ]; then
		echo "ksmbd-fixes: $3: pattern not found in $1" >&2
		exit 1
	fi
}

# 1. opinfo_put(NULL) oopses: some callers pass the result of a lookup
#    that found no oplock (opinfo_get() and friends return NULL), and
#    opinfo_put() dereferences it unconditionally.  Make a NULL opinfo a
#    no-op, as a put of nothing should be.
must_change oplock.c \
	'/^void opinfo_put(struct oplock_info \*opinfo)$/,/^}/ s/^\tif (!atomic_dec_and_test(&opinfo->refcount))$/\tif (!opinfo || !atomic_dec_and_test(\&opinfo->refcount))/' \
	"opinfo_put NULL check"
