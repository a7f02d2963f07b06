#!/bin/sh
# The README's main job: call both bundled operations by name, with no accounts and no network.
# Until the built-in mock lands this shows each request exactly as it would be sent (--dry-run),
# signed and authenticated with demo secrets; secret values are printed as ***.
set -e
export INGRAM_CLIENT_ID="${INGRAM_CLIENT_ID:-demo-client-id}"
export INGRAM_CLIENT_SECRET="${INGRAM_CLIENT_SECRET:-demo-client-secret}"
export INGRAM_WEBHOOK_SECRET="${INGRAM_WEBHOOK_SECRET:-demo-webhook-secret}"
export THIRDWATCH_API_KEY="${THIRDWATCH_API_KEY:-demo-thirdwatch-key}"

specclient call ingram.order_status_event --example \
  --param targeturl=https://hooks.example.com/ingram/order-status --dry-run
specclient call thirdwatch.order_status --example --dry-run
