#!/usr/bin/env bash
# Runs a fixed set of user commands (default options, as the README shows them, plus the
# documented variants) with one `atalaya` binary and writes every output, stdout and stderr
# to a folder. Run it with the binary before and after a change and compare the two folders:
#
#   scripts/compare-outputs.sh OLD_BINARY /tmp/before
#   scripts/compare-outputs.sh .build/release/atalaya /tmp/after
#   scripts/compare-outputs.sh --diff /tmp/before /tmp/after
#
# SQLite files (the store, GeoPackages) are compared by their `.dump` (page layout may differ);
# the timings printed by `ingest` and the `ingested_at`/`created` timestamps are masked.
set -euo pipefail
if [ "${1:-}" = "--diff" ]; then
  diff -r "$2" "$3" && echo "identical: $2 $3"
  exit $?
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); OUT=$2
# The real layers beside the checkout (../shared/geodata) unless ATALAYA_GEODATA says otherwise.
export ATALAYA_GEODATA=${ATALAYA_GEODATA:-$(cd "$(dirname "$0")/../../shared/geodata" && pwd)}
rm -rf "$OUT"; mkdir -p "$OUT"
# Run a copy outside any checkout: the manifest is also looked for beside the executable's package.
RUNDIR=$(mktemp -d); cp "$BIN" "$RUNDIR/atalaya"; BIN=$RUNDIR/atalaya; trap 'rm -rf "$RUNDIR"' EXIT
# A layer cache of its own, cold at the start (the first commands fill it, the later ones read it).
export ATALAYA_CACHE_DIR=$RUNDIR/cache
cd "$OUT"
export ATALAYA_LANG=es
run() { # name, then the arguments
  local name=$1; shift
  set +e; "$BIN" "$@" >"$name.stdout" 2>"$name.stderr"; echo $? >"$name.rc"; set -e
  sed -i -E 's/\([0-9]+([.,][0-9]+)? s\)/(T s)/g; s/[0-9]+([.,][0-9]+)? (filas\/s|rows\/s)/R \2/g' "$name.stdout" "$name.stderr"
}
run simulate simulate --count 30000 --from 2025-01-01 --to 2026-01-01 --seed 7 -o inc.csv -q
run assign assign inc.csv -o asignados.csv --summary localidades
run assign_json assign inc.csv -o asignados.geojson --summary upz --json
run assign_gpkg assign inc.csv -o asignados.gpkg
run density density inc.csv -o densidad.tif
run density_asc density inc.csv -o densidad.asc --cell 50 --bandwidth 400
run density_iso density inc.csv -o isobandas.geojson
run hotspots hotspots inc.csv -o hot.geojson
run hotspots_gpkg hotspots inc.csv -o hot.gpkg
run gistar hotspots inc.csv --method gistar -o gi.geojson
run gistar_upz hotspots inc.csv --method gistar --units upz -o giupz.geojson
run lisa hotspots inc.csv --method lisa --units localidades -o lisa.geojson
run ingest ingest inc.csv --store s.sqlite
run ingest_again ingest inc.csv --store s.sqlite
run reassign reassign --store s.sqlite --json
run trends trends --store s.sqlite --unit localidades --period quarter
run trends_csv trends inc.csv --unit upz --period month -o trends.csv
run emerging emerging --store s.sqlite -o emerging.geojson
run nearrepeat nearrepeat inc.csv --json
run density_store density --store s.sqlite --category "HURTO A PERSONAS" --from 2025-03-01 --to 2025-04-01 -o marzo.tif
run layers layers
run layers_json layers --json upz localidades
run nearrepeat_table nearrepeat --store s.sqlite --iterations 99 -o knox.json
run trends_json trends inc.csv --unit upl --period week --json
run emerging_gpkg emerging inc.csv --period month -o emerging.gpkg
# Errors the user must be able to read: usage errors (exit 64) and refusals (exit 1).
run err_summary assign inc.csv -o x.csv --summary barrios
run err_localidad density --store s.sqlite --localidad 8 -o x.tif
run err_category hotspots inc.csv --category "NO EXISTE" -o x.geojson
run err_output density inc.csv -o inc.csv
for db in *.sqlite *.gpkg; do
  [ -f "$db" ] || continue
  sqlite3 "$db" .dump | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z/TIMESTAMP/g' >"$db.dump"
  rm -f "$db" "$db-wal" "$db-shm"
done
echo "outputs in $OUT"
