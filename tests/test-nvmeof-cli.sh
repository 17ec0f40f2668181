#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nvmeof, every subcommand against nvmeof-target: discover, list, identify
# (controller and namespace), show-hostnqn and bench, in normal and JSON
# output (the JSON parsed and checked field by field), with a URL and with
# --traddr/--trsvcid/--nqn.
source "${abs_srcdir:-$(dirname "$0")}/functions.sh"
source "$abs_srcdir/functions-fuse.sh"
set -e -u -o pipefail

requires_built "$NVMEOF_CLI"
requires jq --version
start_target --ram 64M --ram 32M
d=$TMPDIR_TEST
cli ()
{
  with_timeout 60 "$NVMEOF_CLI" "$@"
}

echo "== discover"
cli discover "nvme+tcp://127.0.0.1:$TARGET_PORT" >"$d/disc"
cat "$d/disc"
grep -q "^Discovery Log Number of Records 2, Generation counter [0-9]" "$d/disc" ||
  fail "discover: no header line"
for i in 0 1; do
  grep -qx "=====Discovery Log Entry $i======" "$d/disc" ||
    fail "discover: no entry $i"
done
for f in trtype adrfam subtype treq portid trsvcid subnqn traddr eflags sectype; do
  [ "$(grep -c "^$f: " "$d/disc")" = 2 ] || fail "discover: field $f"
done
grep -qx "subnqn:  $TARGET_NQN" "$d/disc" || fail "discover: no $TARGET_NQN"
grep -qx "trsvcid: $TARGET_PORT" "$d/disc" || fail "discover: port"
# The subsystem's own URL also works: discover replaces the NQN.
cli discover -o json "$TARGET_URL" >"$d/disc.json"
$PYTHON -m json.tool "$d/disc.json" >/dev/null || fail "discover: bad JSON"
jq -e '.numrec == 2 and (.records | length) == 2' "$d/disc.json" >/dev/null ||
  fail "discover: numrec"
jq -e --arg nqn "$TARGET_NQN" --arg port "$TARGET_PORT" \
  '[.records[] | select(.subnqn == $nqn and .trtype == "tcp" and
     .adrfam == "ipv4" and .traddr == "127.0.0.1" and .trsvcid == $port and
     .subtype == "nvme subsystem")] | length == 1' "$d/disc.json" >/dev/null ||
  fail "discover: no record for $TARGET_NQN"
jq -e '[.records[] | select(.subnqn == "nqn.2014-08.org.nvmexpress.discovery")]
       | length == 1' "$d/disc.json" >/dev/null || fail "discover: no DC record"

echo "== list"
cli list "$TARGET_URL" >"$d/list"
cat "$d/list"
grep -qE '^1 +64\.00 MiB +512 ' "$d/list" || fail "list: namespace 1"
grep -qE '^2 +32\.00 MiB +512 ' "$d/list" || fail "list: namespace 2"
cli list -o json -a 127.0.0.1 -s "$TARGET_PORT" -n "$TARGET_NQN" >"$d/list.json"
$PYTHON -m json.tool "$d/list.json" >/dev/null || fail "list: bad JSON"
jq -e --arg nqn "$TARGET_NQN" '.subnqn == $nqn and (.model | length) > 0 and
  (.serial | length) > 0 and (.namespaces | length) == 2' "$d/list.json" \
  >/dev/null || fail "list: controller fields"
jq -e '.namespaces[0] | .nsid == 1 and .size == 67108864 and
  .nsze == 131072 and .lba_size == 512 and .write_protected == false' \
  "$d/list.json" >/dev/null || fail "list: namespace 1 fields"
jq -e '.namespaces[1] | .nsid == 2 and .size == 33554432' "$d/list.json" \
  >/dev/null || fail "list: namespace 2 fields"

echo "== identify"
cli identify "$TARGET_URL" >"$d/idctrl"
for f in vid sn mn fr mdts cntlid ver nn oncs vwc sgls subnqn ioccsz; do
  grep -qE "^$f +: " "$d/idctrl" || fail "identify: no field $f"
done
grep -qE "^subnqn +: $TARGET_NQN\$" "$d/idctrl" || fail "identify: subnqn"
cli identify -o json "$TARGET_URL" >"$d/idctrl.json"
$PYTHON -m json.tool "$d/idctrl.json" >/dev/null || fail "identify: bad JSON"
jq -e --arg nqn "$TARGET_NQN" --slurpfile l "$d/list.json" \
  '.subnqn == $nqn and .nn >= 2 and .sn == $l[0].serial and
   .mn == $l[0].model and .connection.discovery == false and
   .connection.max_transfer > 0 and .connection.nr_io_queues >= 1' \
  "$d/idctrl.json" >/dev/null || fail "identify: controller fields"
# Namespace: --nsid, and the URL's /NSID.
cli identify "$TARGET_URL" --nsid 2 >"$d/idns"
cat "$d/idns"
grep -qE '^nsze +: 65536$' "$d/idns" || fail "identify --nsid 2: nsze"
grep -qE '^lbaf +0 +: ms:0 +lbads:9 .*\(in use\)' "$d/idns" ||
  fail "identify --nsid 2: LBA format"
cli identify -o json "$TARGET_URL/1" >"$d/idns.json"
jq -e '.nsze == 131072 and .ncap == 131072 and (.lbafs | length) >= 1 and
  .lbafs[0].ds == 9' "$d/idns.json" >/dev/null || fail "identify /1: fields"

echo "== show-hostnqn"
cli show-hostnqn >"$d/host"
cat "$d/host"
cli show-hostnqn -o json >"$d/host.json"
want_nqn=$(cat "$NVMEOF_HOSTNQN_FILE")
jq -e --arg nqn "$want_nqn" --arg f "$NVMEOF_HOSTNQN_FILE" \
  '.hostnqn == $nqn and (.hostnqn_source | contains($f) or
                         contains("NVMEOF_HOSTNQN_FILE"))' "$d/host.json" \
  >/dev/null || fail "show-hostnqn: not the NQN of $NVMEOF_HOSTNQN_FILE"
jq -e '.hostid | test("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")' \
  "$d/host.json" >/dev/null || fail "show-hostnqn: hostid"
cli show-hostnqn -o json --hostnqn nqn.2026-01.org.example:host1 >"$d/host2.json"
jq -e '.hostnqn == "nqn.2026-01.org.example:host1" and .hostnqn_source == "option"' \
  "$d/host2.json" >/dev/null || fail "show-hostnqn --hostnqn"

echo "== bench"
cli bench "$TARGET_URL" --time 1 --qd 8 >"$d/bench"
cat "$d/bench"
grep -q '^  IOPS: ' "$d/bench" || fail "bench: no IOPS line"
cli bench "$TARGET_URL" --rw randrw --bs 8k --qd 4 --queues 2 --time 1 \
  --verify --size 8M -o json >"$d/bench.json"
cat "$d/bench.json"
$PYTHON -m json.tool "$d/bench.json" >/dev/null || fail "bench: bad JSON"
jq -e '.iops > 0 and .mib_per_s > 0 and .lat_mean_us > 0 and
  .lat_p50_us > 0 and .lat_p99_us >= .lat_p50_us and
  .lat_p999_us >= .lat_p99_us and .cpu_s > 0 and .iops_per_cpu_s > 0 and
  .errors == 0 and .verify_errors == 0 and .rw == "randrw" and .bs == 8192' \
  "$d/bench.json" >/dev/null || fail "bench: JSON figures"
for rw in read write randwrite; do
  for engine in async sync; do
    cli bench "$TARGET_URL/2" --rw $rw --engine $engine --bs 4k --qd 2 \
      --time 0.5 --verify --size 4M -o json >"$d/b.json"
    jq -e --arg rw $rw '.ios > 0 and .errors == 0 and .verify_errors == 0
      and .rw == $rw and .nsid == 2' "$d/b.json" >/dev/null ||
      fail "bench --rw $rw --engine $engine: $(cat "$d/b.json")"
  done
done
echo PASS
