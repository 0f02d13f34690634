#!/usr/bin/env bash
# Installs what the tests need when it is missing, starts PostgreSQL, and runs every test on both engines.
#   ./test.sh            # both engines
#   ./test.sh sqlite     # one engine
#   ./test.sh postgres -- --filter Members   # extra arguments go to dotnet test
set -euo pipefail
cd "$(dirname "$0")"

engines=(sqlite postgres)
if [[ $# -gt 0 && $1 != "--" ]]; then engines=("$1"); shift; fi
[[ ${1:-} == "--" ]] && shift

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# Debian packages: chromium (browser tests), python3-aiosmtpd (loopback SMTP server),
# fonts-noto-core (Welsh/Urdu leaflets), poppler-utils (pdftoppm), postgresql (second engine).
need=()
[[ -x /usr/bin/chromium ]] || need+=(chromium)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || need+=(python3-aiosmtpd)
[[ -d /usr/share/fonts/truetype/noto ]] || need+=(fonts-noto-core)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
if [[ ${#need[@]} -gt 0 ]]; then
  echo "== installing: ${need[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi

if [[ " ${engines[*]} " == *" postgres "* ]]; then
  cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
  # The settings docs/operations.md recommends for a ballot database, so tests and benchmarks run on them.
  settings=/etc/postgresql/${cluster/ //}/conf.d/ballot-night.conf
  if ! cmp -s db/postgresql/ballot-night.conf "$settings"; then
    echo "== PostgreSQL settings: $settings"
    as_root install -m 644 db/postgresql/ballot-night.conf "$settings"
    if pg_lsclusters -h | awk 'NR==1 {exit ($4=="online")?0:1}'; then as_root pg_ctlcluster $cluster restart; fi
  fi
  if ! pg_lsclusters -h | awk 'NR==1 {exit ($4=="online")?0:1}'; then
    echo "== starting PostgreSQL $cluster"
    as_root pg_ctlcluster $cluster start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
  # The tests connect as role "ballot" and create a database per fixture.
  as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='ballot'\" | grep -q 1 || psql -qc \"CREATE ROLE ballot LOGIN PASSWORD 'ballot' CREATEDB\""
  # DROP DATABASE … WITH (FORCE) at a fixture's end must also end an autovacuum worker busy in that database.
  as_root su postgres -c "psql -qc \"GRANT pg_signal_backend TO ballot\"" >/dev/null
fi

dotnet build Ballot.sln -c Release -nologo -v q
# Both engines run at the same time: much of each run waits on Chromium, SMTP, fsync and child processes, so the two
# overlap well on 2 cores (each fixture has its own database, folders and ports). Each line says its engine.
pids=()
for engine in "${engines[@]}"; do
  echo "== tests on $engine"
  ( set -o pipefail; BALLOT_TEST_ENGINE=$engine dotnet test Ballot.sln -c Release --no-build -nologo "$@" 2>&1 | sed -u "s/^/[$engine] /" ) &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
