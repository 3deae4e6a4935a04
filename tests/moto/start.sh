#!/usr/bin/env bash
# Start a seeded moto server on a free loopback port with signature checking on.
#
# Usage: tests/moto/start.sh STATE_DIR [--scale N]
#
# MOTO_SEED=FILE seeds with another script (same --endpoint / --creds-out arguments).
# Installs nothing: expects .venv (python3 -m venv .venv && .venv/bin/pip install 'moto[server]' boto3).
# Writes into STATE_DIR (created 0700):
#   moto.pid  the moto_server PID (stop it with: kill "$(cat STATE_DIR/moto.pid)")
#   moto.log  the server log
#   moto.env  KEY=VALUE lines (mode 0600): CLOUDCAP_MOTO_URL, CLOUDCAP_MOTO_ACCESS_KEY_ID,
#             CLOUDCAP_MOTO_SECRET_ACCESS_KEY (the read-only auditor key; printed nowhere else)
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
state="${1:?usage: start.sh STATE_DIR [--scale N]}"
shift
venv="${CLOUDCAP_VENV:-$root/.venv}"
mkdir -p "$state"
chmod 700 "$state"

port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"

# Signature checking is off for the seeding requests and switched on below via reset-auth,
# so the seeder does not have to count its own requests.
INITIAL_NO_AUTH_ACTION_COUNT=1000000000 MOTO_IAM_LOAD_MANAGED_POLICIES=true \
    "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$state/moto.log" 2>&1 &
echo $! >"$state/moto.pid"
# Do not leave a half-seeded server behind.
trap 'kill "$(cat "$state/moto.pid")" 2>/dev/null || true' ERR

for _ in $(seq 1 100); do
    if "$venv/bin/python" -c "import urllib.request,sys; urllib.request.urlopen('$url/moto-api/data.json', timeout=1)" 2>/dev/null; then
        break
    fi
    sleep 0.1
done

"$venv/bin/python" "${MOTO_SEED:-$root/tests/moto/seed.py}" --endpoint "$url" --creds-out "$state/creds" "$@"

# Every request from now on must be SigV4-signed by a key that exists in moto's IAM.
"$venv/bin/python" - "$url" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/moto-api/reset-auth", data=b"0",
                             headers={"Content-Type": "text/plain"}, method="POST")
urllib.request.urlopen(req, timeout=5).read()
PY

umask 077
{
    echo "CLOUDCAP_MOTO_URL=$url"
    cat "$state/creds"
} >"$state/moto.env"
rm -f "$state/creds"
echo "moto: $url (pid $(cat "$state/moto.pid")), env in $state/moto.env" >&2
