#!/usr/bin/env bash
# Debian packages for the real Secret Service test (tests/keychain_real):
# GNOME Keyring as the Secret Service provider, D-Bus session tools to run it
# headless (dbus-run-session), and secret-tool for poking at it by hand.
# Idempotent: installs only what dpkg does not already list as installed.
set -euo pipefail
packages=(gnome-keyring dbus dbus-bin libsecret-tools)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "$tool is still missing after install" >&2; exit 1; }
done
