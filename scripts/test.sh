#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need, builds with warnings as errors,
# checks formatting, runs every test, and ends with one line "N passed, N failed, N skipped".
# As root on Linux nothing may be skipped: tests that need root must really run.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the tests use (command -> package). Installed only when missing. gcc links the Native AOT build
# that one test publishes (the ILCompiler prefers clang and takes gcc when clang is missing).
declare -A NEEDED=([gcc]=gcc [openssl]=openssl [sysctl]=procps [postfix]=postfix [script]=bsdutils [tcpdump]=tcpdump [tshark]=tshark [chromium]=chromium [ip]=iproute2 [nft]=nftables [vsftpd]=vsftpd [saslpasswd2]=sasl2-bin)
missing=()
for cmd in "${!NEEDED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEEDED[$cmd]}")
done
# Libraries with no command to look for: Cyrus SASL's PLAIN/LOGIN and sasldb plug-ins, for postfix's AUTH in the tests.
# (dpkg -s also succeeds for a removed package whose configuration files remain, so ask for the installed status.)
for pkg in libsasl2-modules libsasl2-modules-db; do
  [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "test.sh: missing packages: ${missing[*]}; run as root or install them with apt-get" >&2
    exit 1
  fi
  echo "==> installing ${missing[*]}"
  apt-get update -qq
  # postfix asks how to configure the machine's mail system; the tests run private instances, so: none.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "==> build"
dotnet build Linger.sln -c Release -nologo -v quiet

echo "==> format"
dotnet format Linger.sln --verify-no-changes --no-restore

echo "==> test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Linger.sln -c Release --no-build -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

summary=$(grep -E '(Passed|Failed)!? +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+' "$log" || true)
failed=$(sed -nE 's/.*Failed: +([0-9]+),.*/\1/p' <<<"$summary" | awk '{s+=$1} END {print s+0}')
passed=$(sed -nE 's/.*Passed: +([0-9]+),.*/\1/p' <<<"$summary" | awk '{s+=$1} END {print s+0}')
skipped=$(sed -nE 's/.*Skipped: +([0-9]+),.*/\1/p' <<<"$summary" | awk '{s+=$1} END {print s+0}')

if [[ $status -eq 0 && $passed -eq 0 ]]; then
  echo "test.sh: no test ran" >&2
  status=1
fi
if [[ $(id -u) -eq 0 && $(uname -s) == Linux && $skipped -gt 0 ]]; then
  echo "test.sh: $skipped test(s) skipped while running as root on Linux; every test must run here" >&2
  grep -E '^\s+Skipped ' "$log" >&2 || true
  status=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
