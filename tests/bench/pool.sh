#!/usr/bin/env bash
# Pool benchmark on moto (EC2 and Auto Scaling, signatures checked),
# every call counted by ec2-fault-proxy in front of it:
#  - acquire latency from a warm in-service guest, end to end (list, the
#    agents' /health, claim with its settle, protection, the sealed token
#    opened), and its API calls; the peer is what a pool replaces, a
#    fresh "deskctl launch" waited until its agent answers;
#  - "pool create --min 10" until 10 guests answer /health, against
#    "launch --count 10" until ready.
# moto starts instances at once, so the launch side here is far kinder
# than EC2's boot (tens of seconds): the ratios are a floor.
#   tests/bench/pool.sh [N]   (N acquires and launches, default 20)
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/_build}
N=${1:-20}
source "$TOP/tests/lib.sh"
source "$TOP/tests/tools/deskctl-moto.sh"
have_moto && python3 -c 'import boto3' 2>/dev/null || { skip "pool bench: no moto"; exit 0; }
deskctl_env
AMI=ami-12c6146b

start_moto 5 || exit 1
moto_iam_setup || exit 1
export AWS_ACCESS_KEY_ID=$LT_AKID AWS_SECRET_ACCESS_KEY=$LT_SECRET
PP=$(free_port)
COUNT=$T_TMP/calls
: >"$COUNT"
python3 "$TOP/tests/tools/ec2-fault-proxy.py" "$PP" "$MOTO_PORT" --count "$COUNT" \
    >"$T_TMP/proxy.log" 2>&1 &
T_PIDS+=($!)
wait_http "http://127.0.0.1:$PP/moto-api/" || exit 1
export AWS_ENDPOINT_URL=http://127.0.0.1:$PP
start_xvfb 1024x768 || exit 1
MAPF=$T_TMP/map
export DESKCTL_ADDR_MAP=@$MAPF

# A deskd for each running guest of POOL, its token sealed to the pool's key.
guests() {
	local pool=$1 id ip port
	python3 - "$MOTO_URL" "$pool" >"$T_TMP/insts" <<'PY'
import base64, boto3, sys
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1")
ec2 = boto3.client("ec2", **kw)
v = ec2.describe_launch_template_versions(LaunchTemplateName="deskd-pool-" + sys.argv[2])
ud = base64.b64decode(v["LaunchTemplateVersions"][0]["LaunchTemplateData"]["UserData"]).decode()
print(ud.split('content: "', 1)[1].split('"', 1)[0])
r = ec2.describe_instances(Filters=[{"Name": "tag:deskd:pool", "Values": [sys.argv[2]]},
    {"Name": "instance-state-name", "Values": ["running"]}])
for x in r["Reservations"]:
    for i in x["Instances"]:
        print(i["InstanceId"], i["PublicIpAddress"])
PY
	head -n1 "$T_TMP/insts" >"$T_TMP/pub.$pool"
	: >"$MAPF.new"
	tail -n +2 "$T_TMP/insts" | while read -r id ip; do
		port=$(free_port)
		"$DESKD" --listen "127.0.0.1:$port" --cdp-listen off --log-level warn \
		    --token-file "$T_TMP/tok.$id" --token-create \
		    --seal-to "$T_TMP/pub.$pool" --seal-id "$id" >>"$T_TMP/deskd.log" 2>&1 &
		echo $! >>"$T_TMP/pids"
		wait_http "http://127.0.0.1:$port/health"
		echo "$ip=127.0.0.1:$port" >>"$MAPF.new"
	done
	echo '*=127.0.0.1:1' >>"$MAPF.new"
	mv "$MAPF.new" "$MAPF"
}
# timed LABEL CMD...: run CMD, append "LABEL SECONDS CALLS" to $T_TMP/times.
timed() {
	local label=$1 before after t0 t1
	shift
	before=$(wc -l <"$COUNT")
	t0=$(date +%s.%N)
	"$@" >"$T_TMP/out" 2>"$T_TMP/err" || { echo "# $label failed: $(cat "$T_TMP/err")"; return 1; }
	t1=$(date +%s.%N)
	after=$(wc -l <"$COUNT")
	echo "$label $(python3 -c "print($t1 - $t0)") $((after - before))" >>"$T_TMP/times"
}

# --- acquire from a warm in-service guest, against a fresh launch ---
"$DESKCTL" pool create pa --ami "$AMI" --min 4 --max 4 --no-wait >/dev/null 2>&1 || exit 1
guests pa
for i in $(seq "$N"); do
	timed acquire "$DESKCTL" pool acquire pa --json || exit 1
	id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T_TMP/out")
	"$DESKCTL" pool release "$id" >/dev/null 2>&1
done
# Where the time goes: the same without the claim's settle (the second
# read-back 250 ms later, for EC2's eventually consistent tags).
for i in $(seq "$N"); do
	DESKCTL_CLAIM_SETTLE_MS=0 timed acquire0 "$DESKCTL" pool acquire pa --json || exit 1
	id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T_TMP/out")
	"$DESKCTL" pool release "$id" >/dev/null 2>&1
done
# The peer: a guest launched and waited for (moto's is up at once; the
# wait probes the one deskd every launched guest maps to).
port=$(free_port)
"$DESKD" --listen "127.0.0.1:$port" --cdp-listen off --log-level warn --no-auth \
    >>"$T_TMP/deskd.log" 2>&1 &
echo $! >>"$T_TMP/pids"
wait_http "http://127.0.0.1:$port/health"
for i in $(seq "$N"); do
	DESKCTL_ADDR_MAP="*=127.0.0.1:$port" timed launch "$DESKCTL" launch --provider ec2 \
	    --ami "$AMI" --json || exit 1
	"$DESKCTL" terminate --all-mine >/dev/null 2>&1
done

# --- pool create --min 10 until 10 ready, against launch --count 10 ---
DESKCTL_ADDR_MAP="*=127.0.0.1:$port" timed create10 "$DESKCTL" pool create p10 --ami "$AMI" \
    --min 10 --max 10 --json || exit 1
DESKCTL_ADDR_MAP="*=127.0.0.1:$port" timed launch10 "$DESKCTL" launch --provider ec2 \
    --ami "$AMI" --count 10 --json || exit 1
"$DESKCTL" terminate --all-mine >/dev/null 2>&1
"$DESKCTL" pool delete p10 >/dev/null 2>&1
"$DESKCTL" pool delete pa >/dev/null 2>&1
while read -r p; do kill "$p" 2>/dev/null; done <"$T_TMP/pids"

python3 - "$T_TMP/times" "$N" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    k, s, c = line.split()
    rows.setdefault(k, []).append((float(s), int(c)))
def med(k, i):
    return statistics.median(r[i] for r in rows[k])
def p90(k):
    v = sorted(r[0] for r in rows[k])
    return v[int(0.9 * (len(v) - 1))]
print("pool bench on moto, %s acquires and launches" % sys.argv[2])
print("  acquire (warm in-service guest): median %.3f s, p90 %.3f s, %d API calls"
      % (med("acquire", 0), p90("acquire"), med("acquire", 1)))
print("  ... without the 250 ms claim settle: median %.3f s, %d API calls"
      % (med("acquire0", 0), med("acquire0", 1)))
print("  launch + wait (the peer):        median %.3f s, p90 %.3f s, %d API calls"
      % (med("launch", 0), p90("launch"), med("launch", 1)))
print("  ratio launch / acquire: %.2f (moto boots at once: on EC2 a launch takes tens of seconds)"
      % (med("launch", 0) / med("acquire", 0)))
print("  pool create --min 10 to 10 ready: %.2f s, %d API calls"
      % (rows["create10"][0][0], rows["create10"][0][1]))
print("  launch --count 10 to 10 ready:    %.2f s, %d API calls"
      % (rows["launch10"][0][0], rows["launch10"][0][1]))
print("  ratio: %.2f" % (rows["launch10"][0][0] / rows["create10"][0][0]))
PY
