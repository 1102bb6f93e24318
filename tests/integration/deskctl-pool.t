#!/usr/bin/env bash
# deskctl pools against moto's EC2 and Auto Scaling with signature checking,
# every effect checked with boto3: create makes the launch template, the
# group, its warm pool and grow policy with the right settings and tags;
# each moto instance is served by a real deskd (one Xvfb for all) that
# makes its own token and seals it to the pool's key, mapped to the
# instance's fake address by the address map file; acquire hands out a
# guest whose token opens its own deskd only, claims and protects it;
# 20 concurrent acquires on a pool of 20 get 20 different guests; release,
# release --terminate, reap (stale claims, idle guests down to --min),
# resize, spot, delete leaves nothing.  moto keeps a warm pool's settings
# but never puts instances in it: pool status's warm count is checked
# against ec2-fault-proxy's --warm-instances stub.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/tools/deskctl-moto.sh"

if ! have_moto || ! python3 -c 'import boto3' 2>/dev/null; then
	skip "moto or boto3 is not installed"
	exit 0
fi
deskctl_env
AMI=ami-12c6146b
PROXY=$TOP/tests/tools/ec2-fault-proxy.py
CHECK=$TOP/packaging/cloud-init/check-user-data.py

start_moto 5 || exit 1
moto_iam_setup
ok $? "moto with signature checking; IAM user with ec2:* and autoscaling:*"
export AWS_ACCESS_KEY_ID=$LT_AKID AWS_SECRET_ACCESS_KEY=$LT_SECRET
# Each service its own variable (botocore's names).
export AWS_ENDPOINT_URL_EC2=$MOTO_URL AWS_ENDPOINT_URL_AUTO_SCALING=$MOTO_URL
start_xvfb 1024x768 || exit 1
MAPF=$T_TMP/addr-map
: >"$MAPF"
export DESKCTL_ADDR_MAP=@$MAPF
STATE=$XDG_STATE_HOME/deskctl

# b3 PYTHON ARGS...: boto3 on moto (ec2, asg; insts(pool), claims(id)).
b3() {
	python3 -c "
import base64, boto3, json, os, sys
kw = dict(endpoint_url='$MOTO_URL', region_name='us-east-1')
ec2 = boto3.client('ec2', **kw)
asg = boto3.client('autoscaling', **kw)
def insts(pool, states=('pending', 'running')):
    r = ec2.describe_instances(Filters=[{'Name': 'tag:deskd:pool', 'Values': [pool]},
        {'Name': 'instance-state-name', 'Values': list(states)}])
    return [i for x in r['Reservations'] for i in x['Instances']]
def inst(i):
    return [j for x in ec2.describe_instances(InstanceIds=[i])['Reservations'] for j in x['Instances']][0]
def claims(i):
    return [t for t in inst(i).get('Tags', []) if t['Key'].startswith('deskd:claim:')]
def group(p):
    g = asg.describe_auto_scaling_groups(AutoScalingGroupNames=['deskd-pool-' + p])['AutoScalingGroups']
    return g[0] if g else None
def prot(p, i):
    return [x['ProtectedFromScaleIn'] for x in group(p)['Instances'] if x['InstanceId'] == i][0]
def userdata(p):
    v = ec2.describe_launch_template_versions(LaunchTemplateName='deskd-pool-' + p)['LaunchTemplateVersions'][0]
    return base64.b64decode(v['LaunchTemplateData']['UserData']).decode()
$1" "${@:2}"
}

# guests POOL: a deskd for every running instance of POOL that has none
# yet, as the guest itself would run it (its own token, sealed to the key
# from its user data, bound to its instance id); the map file points each
# instance's public address at its deskd, and everything else at port 1.
guests() {
	local pool=$1 id ip port
	b3 'print(userdata(sys.argv[1]))' "$pool" >"$T_TMP/ud.$pool"
	sed -n 's/^    content: "\(.*\)"$/\1/p' "$T_TMP/ud.$pool" | head -n1 >"$T_TMP/pub.$pool"
	b3 'for i in insts(sys.argv[1], ("running",)): print(i["InstanceId"], i["PublicIpAddress"])' \
	    "$pool" >"$T_TMP/insts.$pool"
	while read -r id ip; do
		[ -e "$T_TMP/port.$id" ] && continue
		port=$(free_port)
		"$DESKD" --listen "127.0.0.1:$port" --cdp-listen off \
		    --token-file "$T_TMP/tok.$id" --token-create \
		    --seal-to "$T_TMP/pub.$pool" --seal-id "$id" \
		    --reset-command "$T_TMP/reset.sh $id" \
		    >"$T_TMP/deskd.$id.log" 2>&1 &
		T_PIDS+=("$!")
		T_LOGS+=("$T_TMP/deskd.$id.log")
		echo "$port" >"$T_TMP/port.$id"
		echo "$ip=127.0.0.1:$port" >>"$T_TMP/map.lines"
		wait_http "http://127.0.0.1:$port/health" || fail "deskd of $id did not start"
	done <"$T_TMP/insts.$pool"
	{ cat "$T_TMP/map.lines" 2>/dev/null; echo '*=127.0.0.1:1'; } >"$MAPF.new"
	mv "$MAPF.new" "$MAPF"
}
# jf FILE EXPR: EXPR on j, the file's JSON (or its first JSON line).
jf() {
	python3 -c '
import json, sys
t = open(sys.argv[1]).read()
try:
    j = json.loads(t)
except ValueError:
    j = json.loads([l for l in t.splitlines() if l.startswith("{")][0])
print(eval(sys.argv[2]))' "$@"
}
P() { "$DESKCTL" pool "$@"; }
# What each guest's POST /v1/reset runs: a record of the call (or a
# failure for a guest named in $T_TMP/reset.fail).
printf '#!/bin/sh\ngrep -qx "$1" %s/reset.fail 2>/dev/null && exit 1\necho reset >>%s/reset."$1"\n' \
    "$T_TMP" "$T_TMP" >"$T_TMP/reset.sh"
chmod +x "$T_TMP/reset.sh"

# --- create: template, group, warm pool, policy, tags, the key ---
P create p1 --ami "$AMI" --type t3.medium --min 2 --max 4 --warm 1 --disk-gb 40 \
    --idle-shutdown 45 --tag team=a --no-wait --json >"$T_TMP/c1" 2>"$T_TMP/c1.err"
is "$?" 0 "pool create p1 --min 2 --max 4 --warm 1"
is "$(jf "$T_TMP/c1" '(j["pool"], j["group"], j["min"], j["max"], j["desired"], j["warm"])')" \
    "('p1', 'deskd-pool-p1', 2, 4, 2, 1)" "... its JSON line"
is "$(b3 '
v = ec2.describe_launch_template_versions(LaunchTemplateName="deskd-pool-p1")["LaunchTemplateVersions"][0]
d = v["LaunchTemplateData"]
t = ec2.describe_launch_templates(LaunchTemplateNames=["deskd-pool-p1"])["LaunchTemplates"][0]
tt = {x["Key"]: x["Value"] for x in t.get("Tags", [])}
bd = d["BlockDeviceMappings"][0]
spec = {x["Key"]: x["Value"] for s in d["TagSpecifications"] if s["ResourceType"] == "instance" for x in s["Tags"]}
print(d["ImageId"], d["InstanceType"], d["MetadataOptions"]["HttpTokens"], d["InstanceInitiatedShutdownBehavior"],
      bd["Ebs"]["VolumeSize"], bd["Ebs"]["Encrypted"], tt.get("deskd:pool"), tt.get("deskd:owner") == os.environ["DESKCTL_OWNER"],
      spec.get("deskd:pool"), spec.get("team"))')" \
    "$AMI t3.medium required terminate 40 True p1 True p1 a" \
    "boto3: the template: image, type, IMDSv2, shutdown terminates, 40 GB encrypted root, tagged as the pool's"
is "$(b3 '
g = group("p1")
tags = {t["Key"]: (t["Value"], t["PropagateAtLaunch"]) for t in g["Tags"]}
w = asg.describe_warm_pool(AutoScalingGroupName="deskd-pool-p1")["WarmPoolConfiguration"]
pol = asg.describe_policies(AutoScalingGroupName="deskd-pool-p1")["ScalingPolicies"]
print(g["MinSize"], g["MaxSize"], g["DesiredCapacity"], g["LaunchTemplate"]["LaunchTemplateName"],
      tags["deskd:pool"], tags["deskd:owner"][1], tags["team"], len(g["Instances"]),
      w["MinSize"], w["PoolState"], w["InstanceReusePolicy"]["ReuseOnScaleIn"],
      [(p["PolicyName"], p["AdjustmentType"], p["ScalingAdjustment"]) for p in pol])')" \
    "2 4 2 deskd-pool-p1 ('p1', True) True ('a', True) 2 1 Stopped True [('deskd-grow', 'ChangeInCapacity', 1)]" \
    "boto3: the group (sizes, template, tags propagated), its warm pool (1 stopped, reused on scale-in), the grow policy"
is "$(stat -c %a "$STATE/pools/p1.json")/$(jf "$STATE/pools/p1.json" 'len(j["secret_key"]) > 40')" "600/True" \
    "the pool's secret key is in the state directory, 0600"
b3 'print(userdata("p1"))' >"$T_TMP/ud1"
is "$(python3 "$CHECK" "$T_TMP/ud1")" ok "the template's user data is the image's pool form (check-user-data.py)"
like "$(cat "$T_TMP/ud1")" 'DESKD_INSTANCE_OPTS=".*--token-create.*--seal-to /etc/deskd/pool.pub --seal-id @/var/lib/cloud/data/instance-id --idle-shutdown 2700s"' \
    "... deskd makes its own token, seals it, powers off after 45 idle minutes"
like "$(cloud-init schema -c "$T_TMP/ud1" 2>&1)" '^Valid cloud-config' "... and cloud-init's schema takes it"
P create p1 --ami "$AMI" --min 1 --max 1 --no-wait >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*pool p1 exists' "a second create of the same name is refused"
P create bad --ami "$AMI" --min 3 --max 2 >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^2/.*--min <= --desired <= --max' "--min over --max: usage error"
P create sp --ami "$AMI" --min 0 --max 2 --warm 1 --spot-percent 50 >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^2/.*no warm pools for spot' "--spot-percent with --warm: refused (AWS has no warm pools for spot)"
P ls --spot-percent 5 >/dev/null 2>&1
is "$?" 2 "pool ls refuses an option of create"

# --- guests, status ---
guests p1
P status p1 --json >"$T_TMP/st1" 2>&1
is "$(jf "$T_TMP/st1" '(j["in_service"], j["busy"], j["idle"], j["down"], sorted(type(g["idle_s"]).__name__ for g in j["guests"]))')" \
    "(2, 0, 2, 0, ['int', 'int'])" "pool status: 2 in service, none busy, 2 idle, each guest's idle seconds"
P ls --json >"$T_TMP/ls1" 2>&1
is "$(jf "$T_TMP/ls1" '(j["pool"], j["desired"], j["in_service"])')" "('p1', 2, 2)" "pool ls lists it"

# --- acquire: its own token, claimed, protected ---
P acquire p1 --json >"$T_TMP/a1" 2>"$T_TMP/a1.err"
is "$?" 0 "pool acquire p1"
A1=$(jf "$T_TMP/a1" 'j["id"]')
T1=$(jf "$T_TMP/a1" 'j["token"]')
U1=$(jf "$T_TMP/a1" 'j["url"]')
is "$U1/$T1" "http://127.0.0.1:$(cat "$T_TMP/port.$A1")/$(tr -d '\n' <"$T_TMP/tok.$A1")" \
    "... its URL is the guest's deskd and its token the one that deskd made"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T1" "$U1/v1/windows")" 200 \
    "the token opens its own deskd"
OTHER=$(awk '{print $1}' "$T_TMP/insts.p1" | grep -v "$A1" | head -n1)
is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T1" "http://127.0.0.1:$(cat "$T_TMP/port.$OTHER")/v1/windows")" 401 \
    "... and not the other guest's"
is "$(b3 'c = claims(sys.argv[1]); print(len(c), c[0]["Value"].split(" ", 1)[1].startswith(os.environ["DESKCTL_OWNER"] + ":"), prot("p1", sys.argv[1]))' "$A1")" \
    "1 True True" "boto3: one claim tag naming the holder, protected from scale-in"
"$DESKCTL" exec "$A1" -- echo from-the-pool >"$T_TMP/ex" 2>&1
is "$(cat "$T_TMP/ex")" from-the-pool "deskctl exec ID drives the acquired guest (recorded like a launch)"
P acquire p1 --json >"$T_TMP/a2" 2>&1
A2=$(jf "$T_TMP/a2" 'j["id"]')
is "$([ "$A2" = "$OTHER" ] && echo yes)" yes "a second acquire gets the other guest"

# --- no token in the template, the user data, tags, /health or logs ---
bad=0
for f in "$T_TMP"/tok.*; do
	t=$(tr -d '\n' <"$f")
	b3 '
t = sys.argv[1]
blob = json.dumps(ec2.describe_launch_template_versions(LaunchTemplateName="deskd-pool-p1")["LaunchTemplateVersions"], default=str)
blob += userdata("p1") + json.dumps(group("p1"), default=str)
blob += json.dumps([i.get("Tags") for i in insts("p1")])
sys.exit(1 if t in blob else 0)' "$t" || bad=1
	for id in $(awk '{print $1}' "$T_TMP/insts.p1"); do
		curl -s "http://127.0.0.1:$(cat "$T_TMP/port.$id")/health" | grep -q "$t" && bad=1
		grep -q "$t" "$T_TMP/deskd.$id.log" && bad=1
	done
	grep -q "$t" "$T_TMP/a1.err" && bad=1
done
is "$bad" 0 "no guest token in the launch template, user data, group or instance tags, any /health, or logs"

# --- none free: the group grows by one; the new guest is acquired ---
P acquire p1 --timeout 3s --json >"$T_TMP/a3" 2>"$T_TMP/a3.err"
like "$?/$(cat "$T_TMP/a3.err")" '^4/.*no free guest; asked the group for one more \(desired 3\).*before the timeout' \
    "all busy: acquire asks for one more guest, then times out (its agent is not up)"
is "$(b3 'print(group("p1")["DesiredCapacity"])')" 3 "boto3: desired capacity 3 (ExecutePolicy of the grow policy)"
guests p1
P acquire p1 --json >"$T_TMP/a4" 2>"$T_TMP/a4.err"
A4=$(jf "$T_TMP/a4" 'j["id"]')
like "$A4/$(cat "$T_TMP/a4.err")" '^i-[0-9a-f]+/$' "once the new guest's agent answers it is acquired, nothing more asked for"
is "$(b3 'print(group("p1")["DesiredCapacity"])')" 3 "... desired stays 3"

# --- release, release --terminate ---
P release "$A1" >"$T_TMP/r1" 2>&1
is "$?/$(cat "$T_TMP/r1")" "0/released $A1" "pool release"
is "$(b3 'print(len(claims(sys.argv[1])), prot("p1", sys.argv[1]))' "$A1")" "0 False" \
    "boto3: claim gone, protection off"
"$DESKCTL" exec "$A1" -- true >/dev/null 2>&1
is "$?" 1 "the released guest's record is gone from the state file"
P release "$A1" >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" "^1/.*not a pool guest this host acquired" "releasing it twice is an error"
P release "$A2" --terminate >"$T_TMP/r2" 2>&1
like "$?/$(cat "$T_TMP/r2")" "^0/released $A2: terminated, the group replaces it" "pool release --terminate"
is "$(b3 'g = group("p1"); print(inst(sys.argv[1])["State"]["Name"] in ("shutting-down", "terminated"), g["DesiredCapacity"], len([i for i in g["Instances"] if i["LifecycleState"] == "InService"]))' "$A2")" \
    "True 3 3" "boto3: terminated, the group keeps 3 in service (a replacement)"

# --- release --reset: the guest's own reset first ---
P acquire p1 --json >"$T_TMP/a6" 2>&1
A6=$(jf "$T_TMP/a6" 'j["id"]')
P release "$A6" --reset >"$T_TMP/r6" 2>&1
is "$?/$(cat "$T_TMP/r6")/$(cat "$T_TMP/reset.$A6" 2>/dev/null)" "0/released $A6 (reset)/reset" \
    "pool release --reset: POST /v1/reset ran the guest's reset, then released"
P acquire p1 --json >"$T_TMP/a7" 2>&1
A7=$(jf "$T_TMP/a7" 'j["id"]')
echo "$A7" >"$T_TMP/reset.fail"
P release "$A7" --reset >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" "^1/.*$A7: reset: .*reset_failed.*\(not released\)" \
    "a reset that fails keeps the claim (the guest is not handed on)"
is "$(b3 'print(len(claims(sys.argv[1])), prot("p1", sys.argv[1]))' "$A7")" "1 True" "boto3: still claimed and protected"
rm -f "$T_TMP/reset.fail"
P release "$A7" >/dev/null 2>&1

# --- the seal is bound to the instance: a copied box is refused ---
P create pr --ami "$AMI" --min 1 --max 1 --no-wait >/dev/null 2>&1
b3 'print(userdata("pr"))' >"$T_TMP/ud.pr"
sed -n 's/^    content: "\(.*\)"$/\1/p' "$T_TMP/ud.pr" | head -n1 >"$T_TMP/pub.pr"
read -r RID RIP < <(b3 'i = insts("pr", ("running",))[0]; print(i["InstanceId"], i["PublicIpAddress"])')
RPORT=$(free_port)
"$DESKD" --listen "127.0.0.1:$RPORT" --cdp-listen off --token-file "$T_TMP/rtok" \
    --token-create --seal-to "$T_TMP/pub.pr" --seal-id i-0someoneelse00000 \
    >"$T_TMP/deskd.r.log" 2>&1 &
T_PIDS+=("$!")
wait_http "http://127.0.0.1:$RPORT/health"
echo "$RIP=127.0.0.1:$RPORT" >>"$T_TMP/map.lines"
guests p1
P acquire pr --timeout 2s >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" "^4/.*$RID: its sealed token belongs to i-0someoneelse00000, not to $RID" \
    "a guest publishing a box that names another instance is refused (its token is not used)"
is "$(b3 'print(len(claims(sys.argv[1])))' "$RID")" 0 "... and its claim is taken back"
P delete pr >/dev/null 2>&1

# --- reap: a stale claim, idle guests down to --min, never below ---
P acquire p1 --json >"$T_TMP/a5" 2>&1
A5=$(jf "$T_TMP/a5" 'j["id"]')
P reap p1 --lease 1h --idle 60 --json >"$T_TMP/rp0" 2>&1
is "$(jf "$T_TMP/rp0" '(j["released"], j["scaled_in"])')" "([], [])" "reap: fresh claims and busy guests are left alone"
sleep 3
P reap p1 --lease 2s --idle 60 --json >"$T_TMP/rp1" 2>&1
is "$(jf "$T_TMP/rp1" 'sorted(j["released"])')" "$(printf '%s\n' "$A4" "$A5" | sort | python3 -c 'import sys; print(sorted(l.strip() for l in sys.stdin))')" \
    "reap --lease 2s: the claims older than the lease, on guests idle as long, are released"
is "$(b3 'print(sum(len(claims(i["InstanceId"])) for i in insts("p1")), any(x["ProtectedFromScaleIn"] for x in group("p1")["Instances"]))')" \
    "0 False" "boto3: no claim and no protection left"
guests p1
P resize p1 --min 1 >"$T_TMP/rs" 2>&1
is "$?/$(cat "$T_TMP/rs")" "0/pool p1: min 1 max 4 desired 3" "pool resize --min 1"
ACTIVE=$(awk '{print $1}' "$T_TMP/insts.p1" | head -n1)
sleep 3
curl -s -o /dev/null -H "Authorization: Bearer $(tr -d '\n' <"$T_TMP/tok.$ACTIVE")" \
    "http://127.0.0.1:$(cat "$T_TMP/port.$ACTIVE")/v1/windows"
P reap p1 --idle 2s --json >"$T_TMP/rp2" 2>&1
is "$(jf "$T_TMP/rp2" '(len(j["scaled_in"]), j["desired"], sys.argv[3] in j["scaled_in"])' "$ACTIVE")" "(2, 1, False)" \
    "reap --idle 2s: two idle guests handed back, desired 3 -> 1 (--min), the one just used kept"
is "$(b3 'g = group("p1"); print(g["DesiredCapacity"], len(g["Instances"]), [i["InstanceId"] for i in g["Instances"]] == [sys.argv[1]])' "$ACTIVE")" \
    "1 1 True" "boto3: desired 1, the active guest is the one left"
P reap p1 --idle 2s --json >"$T_TMP/rp3" 2>&1
is "$(jf "$T_TMP/rp3" '(j["scaled_in"], j["desired"])')" "([], 1)" "reap again: never below --min"

# --- warm instances (moto keeps none: the stub adds two) ---
pp=$(free_port)
python3 "$PROXY" "$pp" "$MOTO_PORT" --warm-instances 2 --count "$T_TMP/pcount" >"$T_TMP/proxy.log" 2>&1 &
T_PIDS+=("$!")
wait_http "http://127.0.0.1:$pp/moto-api/"
P status p1 --json --endpoint-url "http://127.0.0.1:$pp" >"$T_TMP/st2" 2>&1
is "$(jf "$T_TMP/st2" '(j["warm"], j["in_service"])')" "(2, 1)" \
    "pool status counts the warm pool's instances (DescribeWarmPool, signed, through the stub)"
like "$(tr '\n' ' ' <"$T_TMP/pcount")" 'DescribeAutoScalingGroups .*DescribeWarmPool' "... asked for with the group's name"

# --- spot ---
P create ps --ami "$AMI" --min 0 --max 2 --spot-percent 60 --no-wait >/dev/null 2>&1
is "$(b3 '
d = group("ps")["MixedInstancesPolicy"]
print(d["InstancesDistribution"]["OnDemandPercentageAboveBaseCapacity"], d["InstancesDistribution"]["SpotAllocationStrategy"],
      d["LaunchTemplate"]["LaunchTemplateSpecification"]["LaunchTemplateName"], d["LaunchTemplate"]["Overrides"][0]["InstanceType"])')" \
    "40 price-capacity-optimized deskd-pool-ps t3.large" "--spot-percent 60: a mixed instances policy, 40% on demand"
P delete ps >/dev/null 2>&1
is "$?" 0 "pool delete ps"

# --- 20 concurrent acquires on a pool of 20 ---
P create p20 --ami "$AMI" --min 20 --max 20 --no-wait >/dev/null 2>"$T_TMP/c20.err"
is "$?" 0 "pool create p20 --min 20 --max 20"
guests p20
pids=()
for i in $(seq 20); do
	P acquire p20 --timeout 2m --json >"$T_TMP/c20.$i" 2>"$T_TMP/c20.$i.err" &
	pids+=("$!")
done
rcs=""
for p in "${pids[@]}"; do wait "$p"; rcs="$rcs$?"; done
is "$rcs" "$(printf '0%.0s' $(seq 20))" "20 concurrent acquires all succeed"
cat "$T_TMP"/c20.[0-9]* | python3 -c 'import json,sys; print(" ".join(json.loads(l)["id"] for l in sys.stdin if l.startswith("{")))' >"$T_TMP/ids20"
is "$(tr ' ' '\n' <"$T_TMP/ids20" | sort -u | wc -l | tr -d ' ')" 20 "... and get 20 different guests"
is "$(b3 '
ids = sys.argv[1].split()
g = {x["InstanceId"]: x["ProtectedFromScaleIn"] for x in group("p20")["Instances"]}
print(sorted(set(len(claims(i)) for i in ids)), all(g[i] for i in ids))' "$(cat "$T_TMP/ids20")")" \
    "[1] True" "boto3: each holds exactly one claim and is protected"
good=0
for f in "$T_TMP"/c20.[0-9]*; do
	case $f in *.err) continue;; esac
	id=$(jf "$f" 'j["id"]')
	[ "$(jf "$f" 'j["token"]')" = "$(tr -d '\n' <"$T_TMP/tok.$id")" ] && good=$((good + 1))
done
is "$good" 20 "... each with its own guest's token"
# shellcheck disable=SC2046
P release $(cat "$T_TMP/ids20") >/dev/null 2>&1
is "$?/$(b3 'print(sum(len(claims(i["InstanceId"])) for i in insts("p20")))')" "0/0" "release of all 20 clears every claim"

# --- delete leaves nothing, protected or not ---
P acquire p1 >/dev/null 2>&1
P delete p20 >/dev/null 2>&1
P delete p1 >"$T_TMP/d1" 2>&1
like "$?/$(cat "$T_TMP/d1")" '^0/deleted pool p1' "pool delete p1 (one guest held and protected)"
is "$(b3 '
left = [i["InstanceId"] for p in ("p1", "p20", "pr", "ps") for i in insts(p, ("pending", "running", "stopping", "stopped"))]
gs = asg.describe_auto_scaling_groups()["AutoScalingGroups"]
lts = [t["LaunchTemplateName"] for t in ec2.describe_launch_templates()["LaunchTemplates"]]
print(left, [g["AutoScalingGroupName"] for g in gs], lts)')" "[] [] []" \
    "boto3: no instance pending, running, stopping or stopped; no group; no template"
is "$(ls "$STATE/pools" | wc -l | tr -d ' ')/$(jf "$STATE/state.json" 'len([r for r in j["instances"] if r.get("pool")])')" "0/0" \
    "no pool file and no pool guest record left"
P status p1 >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*pool p1: not made on this host' "a deleted pool is unknown"

# --- plain launches: --ttl and --idle-shutdown reach deskd through the user data ---
"$DESKCTL" launch --provider ec2 --ami "$AMI" --ttl 2h --idle-shutdown 30 --no-wait --json >"$T_TMP/l1" 2>&1
LID=$(jf "$T_TMP/l1" 'j["id"]')
b3 'print(base64.b64decode(ec2.describe_instance_attribute(InstanceId=sys.argv[1], Attribute="userData")["UserData"]["Value"]).decode())' \
    "$LID" >"$T_TMP/lud"
EXP=$(b3 'print([t["Value"] for t in inst(sys.argv[1])["Tags"] if t["Key"] == "deskd:expires-at"][0])' "$LID")
like "$(cat "$T_TMP/lud")" "DESKD_INSTANCE_OPTS=\"--expires-at $EXP --idle-shutdown 1800s\"" \
    "launch --ttl 2h --idle-shutdown 30: deskd gets the tag's expiry and 30 idle minutes"
is "$(python3 "$CHECK" "$T_TMP/lud")/$(b3 'print(ec2.describe_instance_attribute(InstanceId=sys.argv[1], Attribute="instanceInitiatedShutdownBehavior")["InstanceInitiatedShutdownBehavior"]["Value"])' "$LID")" \
    "ok/terminate" "... valid user data, and a shutdown from inside terminates the instance"
"$DESKCTL" terminate --all-mine >/dev/null 2>&1
