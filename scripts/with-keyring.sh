#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring and a throwaway
# HOME, so keychain code is exercised against the real Secret Service without touching anyone's
# own keyring.
#
#   scripts/with-keyring.sh COMMAND [ARGS...]        exit code is the command's
#
# Knobs (used by tests/engine/secrets.test.ts):
#   WITH_KEYRING_HOME=DIR   use DIR as HOME and keep it (to reopen the same keyring later)
#   WITH_KEYRING_UNLOCK=0   start the daemon without a password: the login keyring stays locked
#                           (or is never created), as on a desktop where nobody typed it
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: scripts/with-keyring.sh COMMAND [ARGS...]" >&2
  exit 2
fi
for bin in dbus-run-session dbus-send gnome-keyring-daemon; do
  if ! command -v "$bin" >/dev/null 2>&1; then
    echo "with-keyring.sh: $bin is not installed; install the Debian packages: apt-get install gnome-keyring dbus-x11" >&2
    exit 127
  fi
done

remove=()
trap 'rm -rf ${remove[@]+"${remove[@]}"}' EXIT
if [ -n "${WITH_KEYRING_HOME:-}" ]; then
  home="$WITH_KEYRING_HOME"
  mkdir -p "$home"
else
  home=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-keyring.XXXXXX")
  remove+=("$home")
fi

export HOME="$home"
# gnome-keyring keeps its files and control socket under the XDG dirs: point them all into the
# temporary HOME, or a caller's real XDG_RUNTIME_DIR would be shared with their real daemon.
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
export XDG_RUNTIME_DIR="$HOME/.run"
# The control socket is $XDG_RUNTIME_DIR/keyring/control, and a Unix socket path has at most 107
# bytes: a longer one is cut, and two daemons' cut paths collide ("Address already in use"). Under
# a long TMPDIR (a macOS-style /var/folders/…, a CI workspace) the runtime folder is a short one
# of its own in /tmp instead, removed at the end; it holds only sockets, so a kept HOME loses nothing.
control="$XDG_RUNTIME_DIR/keyring/control"
if [ "${#control}" -gt 100 ]; then
  XDG_RUNTIME_DIR=$(mktemp -d /tmp/skr.XXXXXX)
  remove+=("$XDG_RUNTIME_DIR")
fi
mkdir -p "$XDG_DATA_HOME/keyrings" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
export WITH_KEYRING_UNLOCK="${WITH_KEYRING_UNLOCK:-1}"

# Inside the session. The daemon runs in the foreground as our child so that we can stop and reap
# it: a daemonized one outlives the bus when the command is quicker than its start-up. Waiting for
# it to own org.freedesktop.secrets keeps D-Bus activation from starting a second, locked one.
inner='
  if [ "$WITH_KEYRING_UNLOCK" = 0 ]; then
    gnome-keyring-daemon --foreground --components=secrets </dev/null >/dev/null &
  else
    printf %s pw | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null &
  fi
  keyring=$!
  cmd=
  stop() { [ -n "$cmd" ] && kill -TERM "$cmd" 2>/dev/null; kill -TERM "$keyring" 2>/dev/null; wait "$keyring" 2>/dev/null; }
  trap "stop; exit 143" TERM INT HUP
  echo $$ >"$XDG_RUNTIME_DIR/with-keyring.pid"
  ready=
  for _ in $(seq 400); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; then
      ready=1; break
    fi
    kill -0 "$keyring" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$ready" ]; then
    echo "with-keyring.sh: gnome-keyring-daemon did not come up on the D-Bus session" >&2
    stop; exit 125
  fi
  "$@" <&0 &
  cmd=$!
  wait "$cmd"; rc=$?
  cmd=
  stop
  exit "$rc"'

set +e
dbus-run-session -- bash -c "$inner" _ "$@" <&0 &
session=$!
# A signal to us (CI timeout, Ctrl-C) is passed to the inner shell, which stops the command and
# the daemon; dbus-run-session then ends its bus by itself.
forward() {
  local pid
  pid=$(cat "$XDG_RUNTIME_DIR/with-keyring.pid" 2>/dev/null) && kill -TERM "$pid" 2>/dev/null
}
trap 'forward' TERM INT HUP
while :; do
  wait "$session"; rc=$?
  # wait returns early (above 128) when a trapped signal arrives; the session is then still ending.
  kill -0 "$session" 2>/dev/null || break
done
exit "$rc"
