#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# source-edit.sh - sourced by ksmbd-fixes.sh and cifs-fixes.sh: checked
# one-line edits of the linux-source-6.1 files under $dir.

# replace_line FILE FUNC OLD NEW WHAT: inside the function whose
# definition line is exactly FUNC (up to the next line "}"), replace the
# line that is exactly OLD by NEW (awk escapes: \t, \n).  Fails unless
# exactly one line was replaced.
replace_line() {
	local file=$dir/$1
	awk -v func_line="$2" -v old="$3" -v new="$4" '
	$0 == func_line { inside = 1 }
	inside && $0 == old { print new; done++; next }
	inside && $0 == "}" { inside = 0 }
	{ print }
	END { exit done == 1 ? 0 : 1 }' "$file" >"$file.new" || {
		rm -f "$file.new"
		echo "$fix_name: $5: the line to replace is not in $1" >&2
		exit 1
	}
	mv "$file.new" "$file"
}

