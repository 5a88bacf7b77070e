#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages the build and tests need, only if missing.
set -euo pipefail
PKGS=(build-essential pkg-config libssl-dev libcmocka-dev libkrb5-dev
      smbclient samba-testsuite python3 python3-impacket clang libclang-rt-14-dev
      librdmacm-dev libibverbs-dev git samba libnss-wrapper)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -q
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi
