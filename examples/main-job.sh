#!/bin/sh
# The README's main job: a real round trip on this machine, with no accounts and no network.
#
# Both bundled operations are called by name against the built-in mock (--mock), which is built
# from the same specs. For Ingram it issues the OAuth2 token from its mocked token endpoint,
# then recomputes and checks x-hub-signature (HMAC-SHA512 of the eventId); for Thirdwatch it
# checks the API key. It validates each body against its schema and answers with the spec's
# response. Secrets with no value take demo values (demo-<name>); real ones, if set, are used
# and still never leave the machine.
set -e

echo "== ingram.order_status_event: OAuth2 token, then the signed webhook"
specclient call ingram.order_status_event --example --mock \
  --param targeturl=https://hooks.example.com/ingram/order-status

echo "== thirdwatch.order_status: API key"
specclient call thirdwatch.order_status --example --mock

echo "== the mock really checks: a forged x-hub-signature is refused (expect HTTP 401)"
if specclient call ingram.order_status_event --example --mock \
     --param targeturl=https://hooks.example.com/ingram/order-status \
     --param x-hub-signature=forged 2>&1; then
  echo "error: the forged signature was accepted" >&2
  exit 1
fi
echo "== done: both operations answered, the forgery refused"
