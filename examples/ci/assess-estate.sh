#!/usr/bin/env bash
# The gathering job of an estate run: every account's bundle under bundles/<account-id>/ is
# graded as one estate, a report is written for people, and the gate decides the exit status.
#
# ACCOUNTS (space-separated ids) names the accounts the run was meant to cover: an account
# whose collection job left no bundle is refused here (exit 4), never silently left out of the
# estate. AT fixes the assessment time (default: now, UTC); the report records it, so anyone
# can recompute the same bytes from the same bundles.
set -eu
: "${ACCOUNTS:?the account ids the run covers}"
for account in $ACCOUNTS; do
    if [ ! -f "bundles/$account/manifest.json" ]; then
        echo "no bundle for account $account: its collection job did not finish" >&2
        exit 4
    fi
done
at="${AT:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}"
cloudcap assess bundles/*/ --at "$at" --out estate.json
cloudcap report estate.json --format html --lang zh --out estate.html
# 0 pass, 1 threshold breached, 3 evaluation incomplete, 4 invalid input.
status=0
cloudcap gate estate.json --bundle bundles/*/ --tier basic --min-coverage 80 || status=$?
echo "gate exit status: $status"
exit "$status"
