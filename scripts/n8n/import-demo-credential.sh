#!/usr/bin/env bash
# import-demo-credential.sh STAND_IN_URL - imports the credential "Soku (demo stand-in)" (id sokuDemoApiKey01)
# into the n8n whose user folder is $N8N_E2E_HOME, with the stand-in's demo key and the given Base URL.
# Used by scripts/demo.sh and scripts/dev.sh. The file holding the key is written with mode 600, imported
# (n8n encrypts it with the instance key) and deleted; the key is never printed.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STAND_IN_URL="${1:?usage: import-demo-credential.sh STAND_IN_URL}"
: "${N8N_E2E_HOME:?N8N_E2E_HOME must name the n8n user folder}"
mkdir -p "$N8N_E2E_HOME"
CRED_FILE="$N8N_E2E_HOME/demo-credential.json"
trap 'rm -f "$CRED_FILE"' EXIT
( umask 077; node -e '
    const { DEFAULT_ACCOUNTS } = require(process.argv[1]);
    const acc = DEFAULT_ACCOUNTS.find((a) => a.keyId === "key_demo_active") || DEFAULT_ACCOUNTS[0];
    process.stdout.write(JSON.stringify([{ id: "sokuDemoApiKey01", name: "Soku (demo stand-in)", type: "sokuApi",
      data: { apiKey: acc.apiKey, baseUrl: process.argv[2] } }]));' "$REPO/test/stand-in/soku-stand-in.js" "$STAND_IN_URL" >"$CRED_FILE" )
bash "$REPO/scripts/n8n/start-n8n.sh" cli import:credentials --input="$CRED_FILE" 2>&1 | grep -v '^\s*$' | tail -1
