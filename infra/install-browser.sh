#!/usr/bin/env bash
# Installs what the dashboard's browser tests need, when it is missing: Debian's chromium (driven
# by playwright-core; `npx playwright install` cannot download browsers here) and the Noto CJK
# fonts, without which Chinese renders as empty boxes in screenshots. Idempotent: does nothing
# when both are present. Used by .ci/run before `npm ci`.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || missing+=(fonts-noto-cjk)

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-browser: chromium and fonts-noto-cjk present"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "install-browser: ${missing[*]} missing; run as root to install with apt-get" >&2; exit 1; }
echo "install-browser: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
/usr/bin/chromium --version
