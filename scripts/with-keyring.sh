#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring and a throwaway
# HOME, so keychain code is exercised against the real Secret Service without touching anyone's
# own keyring. Usage: scripts/with-keyring.sh COMMAND [ARGS...]   (exit code is the command's)
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: scripts/with-keyring.sh COMMAND [ARGS...]" >&2
  exit 2
fi
for bin in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$bin" >/dev/null 2>&1; then
    echo "with-keyring.sh: $bin is not installed; install the Debian packages: apt-get install gnome-keyring dbus-x11" >&2
    exit 127
  fi
done

tmp_home=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-keyring.XXXXXX")
trap 'rm -rf "$tmp_home"' EXIT

export HOME="$tmp_home"
# gnome-keyring keeps its files and control socket under the XDG dirs: point them all into the
# temporary HOME, or a caller's real XDG_RUNTIME_DIR would be shared with their real daemon.
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
export XDG_RUNTIME_DIR="$HOME/.run"
mkdir -p "$XDG_DATA_HOME/keyrings" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
mkdir -m 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK

set +e
dbus-run-session -- bash -c '
  echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null || {
    echo "with-keyring.sh: gnome-keyring-daemon --unlock failed" >&2; exit 125; }
  exec "$@"' _ "$@"
rc=$?
exit "$rc"
