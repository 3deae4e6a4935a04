#!/usr/bin/env bash
# One collection job of an estate run: one account of an AWS Organization into
# bundles/<account-id>/ (the bundle is the unit a later job gathers and grades).
#
# Needs the management (or delegated administrator) account's read-only credentials in the
# environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, or AWS_PROFILE),
# ACCOUNT (the account id to collect) and ROLE (the read-only role every member holds; see
# docs/collectors.md, "--organization"). The management account itself is collected with the
# caller's own credentials. REGIONS (optional, space-separated) restricts the regions; without
# it every region the account has enabled is collected.
set -eu
: "${ACCOUNT:?the account id to collect}" "${ROLE:?the member role name}"
regions=()
for region in ${REGIONS:-}; do
    regions+=(--region "$region")
done
status=0
cloudcap collect aws --organization --role-name "$ROLE" --accounts "$ACCOUNT" \
    "${regions[@]}" --out bundles --quiet || status=$?
# 3: some scopes, or the role itself, could not be collected. The bundle is still written and
# says so; the estate report names the account and leaves its rules not evaluated.
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
    exit "$status"
fi
test -f "bundles/$ACCOUNT/manifest.json"
