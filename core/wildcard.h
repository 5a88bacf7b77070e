/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wildcard.h - Windows file name matching for QUERY_DIRECTORY patterns,
 * [MS-FSA] 2.1.4.4 (FsRtlIsNameInExpression semantics), case-insensitive.
 */
#ifndef SMB_WILDCARD_H
#define SMB_WILDCARD_H

#include "compat.h"

/* Patterns longer than this (UTF-8 bytes) never match. */
#define SMB_WILDCARD_MAX_PATTERN 1024

/* True if pattern has any of * ? < > " ([MS-FSA] 2.1.4.3). */
bool smb_wildcard_has_wild(const char *pattern_utf8);

/*
 * Does name_utf8 match pattern_utf8?  '*' any run, '?' any one character,
 * '<' (DOS_STAR) any run that does not consume the name's last '.', '>'
 * (DOS_QM) any one character except '.', or nothing at a '.' or the end,
 * '"' (DOS_DOT) a '.' or nothing at the end.  "*" and "*.*" match every
 * nonempty name ([MS-FSA] 2.1.4.4 part 1); otherwise invalid UTF-8 in
 * either string never matches.  Comparison folds case with smb_upcase().
 * Work is bounded by strlen(pattern) x strlen(name), with no recursion or
 * backtracking.
 */
bool smb_wildcard_match(const char *pattern_utf8, const char *name_utf8);

#endif /* SMB_WILDCARD_H */
