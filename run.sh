#!/usr/bin/env bash
# Starts the platform with its embedded defaults: the API on http://localhost:5080 and the worker,
# sharing data/ballot.db (SQLite, WAL). Mail goes to data/mail-pickup/ as .eml files unless Smtp:Host is set.
# Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build Ballot.sln -c Release -nologo -v q
mkdir -p data
dotnet Ballot.Api/bin/Release/net10.0/Ballot.Api.dll "$@" &
api=$!
trap 'kill $api ${worker:-} 2>/dev/null; wait' EXIT INT TERM
# The API applies the migrations; start the worker once it answers, so the two never migrate at once.
for _ in $(seq 1 60); do curl -sf http://localhost:5080/health >/dev/null && break; sleep 0.5; done
dotnet Ballot.Worker/bin/Release/net10.0/Ballot.Worker.dll &
worker=$!
wait $api
