#!/usr/bin/env bash
# A throwaway Ceph cluster on 127.0.0.1 for tests and CI: one monitor, one OSD on memstore (in memory), and
# radosgw serving S3. Authentication between Ceph daemons is off (cephx none): for tests only, never for data.
#
#   tools/ceph-rgw/start.sh          start it (or reuse the one already running), print the S3 endpoint
#   tools/ceph-rgw/start.sh --env    the same, then print `export` lines for the tests instead
#   tools/ceph-rgw/stop.sh           stop it and delete its state
#
# It keeps its state in $OVIRT_REPO_RGW_DIR (default /tmp/ovirt-repo-rgw); `env` there holds what the tests
# read (OVIRT_REPO_TEST_S3_ENDPOINT, _ACCESS_KEY, _SECRET_KEY, _BUCKET), so a developer starts it once and
# every later test run finds it. Ports: RGW_PORT (7480), CEPH_MON_PORT (6789).
set -euo pipefail
dir=${OVIRT_REPO_RGW_DIR:-/tmp/ovirt-repo-rgw}
mon_port=${CEPH_MON_PORT:-6789}
rgw_port=${RGW_PORT:-7480}
memstore_bytes=${RGW_MEMSTORE_BYTES:-2147483648}
endpoint="http://127.0.0.1:$rgw_port"
access_key=TESTKEY
secret_key=TESTSECRET
bucket=ovirt-repo-test
print_env=false
[ "${1:-}" = --env ] && print_env=true

for tool in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool curl flock; do
  command -v "$tool" >/dev/null || { echo "start.sh: $tool is missing (apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common curl)" >&2; exit 1; }
done

# Two callers at once (two test runs) must not both build a cluster in one directory.
mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9

report() {
  if $print_env; then cat "$dir/env"; else echo "$endpoint"; fi
}

# An RGW answers an anonymous GET / with a ListAllMyBuckets document.
answering() { curl -fsS -m 2 -o /dev/null "$endpoint/" 2>/dev/null; }

if [ -f "$dir/env" ] && answering; then
  report
  exit 0
fi
if answering; then
  echo "start.sh: something already listens on $endpoint but $dir/env is missing; stop it or set RGW_PORT" >&2
  exit 1
fi

# A stale state directory (daemons gone, e.g. after a reboot): start from scratch.
[ -d "$dir" ] && "$(dirname "$0")/stop.sh" >/dev/null
mkdir -p "$dir"/{run,log,mon,osd,rgw}
fsid=$(cat /proc/sys/kernel/random/uuid)
cat > "$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = false
ms bind msgr2 = false
ms bind ipv4 = true
public addr = 127.0.0.1
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd pool default pg autoscale mode = off
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
osd objectstore = memstore
memstore device bytes = $memstore_bytes
osd crush chooseleaf type = 0
# At boot an OSD places itself in the CRUSH map and sets its device class by commands to the monitor that
# may leave before it has the monitor map; the monitor refuses them ('wrong fsid') and the OSD exits. So the
# OSD does neither; this script places it (device classes are not needed).
osd crush update on start = false
osd class update on start = false
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
mon data = $dir/mon/\$cluster-\$id
osd data = $dir/osd/\$cluster-\$id
keyring = $dir/keyring
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw data = $dir/rgw
rgw dns name = 127.0.0.1
CONF
export CEPH_CONF="$dir/ceph.conf"
ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --add a "127.0.0.1:$mon_port" --fsid "$fsid" "$dir/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring"
ceph-mon -i a 9>&-
# The OSD's uuid is given to both sides: an OSD that makes up its own may be refused at boot ('wrong fsid').
osd_uuid=$(cat /proc/sys/kernel/random/uuid)
id=$(ceph osd create "$osd_uuid")
mkdir -p "$dir/osd/ceph-$id"
ceph-osd -i "$id" --mkfs --osd-uuid "$osd_uuid" 2>/dev/null
ceph osd crush add "osd.$id" 1.0 root=default >/dev/null 2>&1
ceph-osd -i "$id" 9>&-
radosgw -n client.rgw 9>&-

for _ in $(seq 1 600); do
  answering && break
  sleep 0.1
done
answering || { echo "start.sh: radosgw did not answer on $endpoint within 60 s; see $dir/log" >&2; exit 1; }

radosgw-admin user create --uid test --display-name test --access-key "$access_key" --secret "$secret_key" >/dev/null
# The tests' bucket; each test works under its own random prefix in it. (curl 7.88 signs S3 requests but
# leaves out the payload hash S3 requires: given as a header, it is signed too; this one is of an empty body.)
curl -fsS -m 10 -X PUT -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access_key:$secret_key" "$endpoint/$bucket" -o /dev/null

cat > "$dir/env.tmp" <<ENV
export OVIRT_REPO_TEST_S3_ENDPOINT=$endpoint
export OVIRT_REPO_TEST_S3_ACCESS_KEY=$access_key
export OVIRT_REPO_TEST_S3_SECRET_KEY=$secret_key
export OVIRT_REPO_TEST_S3_BUCKET=$bucket
ENV
mv "$dir/env.tmp" "$dir/env"
report
