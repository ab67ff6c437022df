#!/usr/bin/env bash
# Debian packages the app and its tests use: WeasyPrint's text shaping, pdftotext and
# pdftoppm for checking PDFs, gettext for the Welsh catalogue checks, Chromium for the browser tests, a PostgreSQL server for the tests, wrk for the load benchmark. Installs only what is missing.
set -euo pipefail
packages=(chromium chromium-driver poppler-utils gettext libharfbuzz-subset0 libpango-1.0-0 fonts-dejavu-core fonts-liberation2 wrk)
missing=()
# The test suite starts a throwaway PostgreSQL server: any installed major version will do.
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || packages+=(postgresql)
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
