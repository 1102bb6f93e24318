#!/usr/bin/env bash
# deskctl for fleets, against moto with signature checking, every effect
# checked with boto3: OSWorld's variables and DESKCTL_* launch a guest
# where they say, the AMI map picks per region, the root device is the
# image's, network create/check and the open-group refusal, a token per
# guest, two regions, the cron sweep with the region only in the config
# file, and the audit's defects (lost RunInstances answers, failed waits,
# guests gone during the wait, batches over 1000, an unknown id in wait,
# --private, credential errors).  Guest addresses are fake: the health
# wait goes to a local deskd through the address map test aid.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/tools/deskctl-moto.sh"

if ! have_moto || ! python3 -c 'import boto3' 2>/dev/null; then
	skip "moto or boto3 is not installed"
	exit 0
fi
deskctl_env
AMI=ami-12c6146b
PROXY=$TOP/tests/tools/ec2-fault-proxy.py

start_moto 6 || exit 1
moto_iam_setup
ok $? "moto with signature checking; IAM user with an access key"
# The sixth unauthenticated call: an instance profile for the guests.
AWS_ACCESS_KEY_ID=setup AWS_SECRET_ACCESS_KEY=setup aws --endpoint-url "$MOTO_URL" \
    iam create-instance-profile --instance-profile-name deskd-guest >/dev/null
export AWS_ACCESS_KEY_ID=$LT_AKID AWS_SECRET_ACCESS_KEY=$LT_SECRET
export AWS_ENDPOINT_URL_EC2=$MOTO_URL
start_xvfb || exit 1
start_deskd --no-auth || exit 1
MAP="*=127.0.0.1:$PORT"

# b3 PYTHON ARGS...: boto3 on moto, ec2 bound to region $R (us-east-1).
b3() {
	R=${R:-us-east-1} python3 -c "
import boto3, json, os, sys
ec2 = boto3.client('ec2', endpoint_url='$MOTO_URL', region_name=os.environ['R'])
iam = boto3.client('iam', endpoint_url='$MOTO_URL', region_name='us-east-1')
def insts(**kw):
    return [i for r in ec2.describe_instances(**kw)['Reservations'] for i in r['Instances']]
def inst(i):
    return insts(InstanceIds=[i])[0]
def states(ids):
    return ' '.join(inst(i)['State']['Name'] for i in ids)
$1" "${@:2}"
}
ids_of() { python3 -c 'import sys,json; print(" ".join(json.loads(l)["id"] for l in open(sys.argv[1]) if l.startswith("{")))' "$1"; }
L() { "$DESKCTL" launch --provider ec2 "$@"; }

# --- OSWorld's variables and DESKCTL_* (flags win) ---
read -r VPC SUB SG < <(b3 '
v = ec2.create_vpc(CidrBlock="172.31.0.0/16")["Vpc"]["VpcId"]
s = ec2.create_subnet(VpcId=v, CidrBlock="172.31.1.0/24")["Subnet"]["SubnetId"]
g = ec2.create_security_group(GroupName="osw", Description="x", VpcId=v)["GroupId"]
ec2.create_key_pair(KeyName="osworld_key")
print(v, s, g)')
AWS_SUBNET_ID=$SUB AWS_SECURITY_GROUP_ID=$SG DESKCTL_TYPE=t3.medium \
    DESKCTL_KEY_NAME=osworld_key DESKCTL_AMI=$AMI "$DESKCTL" launch --no-wait \
    --json >"$T_TMP/env" 2>"$T_TMP/env.err"
is "$?" 0 "launch from the variables alone (DESKCTL_AMI means ec2)"
id=$(ids_of "$T_TMP/env")
is "$(b3 'i = inst(sys.argv[1]); print(i["SubnetId"], [g["GroupId"] for n in i["NetworkInterfaces"] for g in n["Groups"]] == [sys.argv[2]], i["InstanceType"], i.get("KeyName"))' "$id" "$SG")" \
    "$SUB True t3.medium osworld_key" \
    "boto3: AWS_SUBNET_ID, AWS_SECURITY_GROUP_ID, DESKCTL_TYPE, DESKCTL_KEY_NAME honoured"
DESKCTL_TYPE=t3.medium AWS_SUBNET_ID=subnet-0nope L --ami "$AMI" --type t3.small \
    --subnet "$SUB" --no-wait --json >"$T_TMP/flags" 2>&1
is "$(b3 'i = inst(sys.argv[1]); print(i["InstanceType"], i["SubnetId"])' "$(ids_of "$T_TMP/flags")")" \
    "t3.small $SUB" "flags win over DESKCTL_TYPE and AWS_SUBNET_ID"
DESKCTL_COUNT=0 "$DESKCTL" launch --provider local >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^2/.*--count.*DESKCTL_COUNT' "a bad DESKCTL_COUNT is a usage error naming the variable"

# --- --private gives no public address; --public with --connect private ---
b3 'ec2.modify_subnet_attribute(SubnetId=sys.argv[1], MapPublicIpOnLaunch={"Value": True})' "$SUB"
L --ami "$AMI" --subnet "$SUB" --private --no-wait --json >"$T_TMP/priv" 2>&1
is "$(b3 'print(inst(sys.argv[1]).get("PublicIpAddress"))' "$(ids_of "$T_TMP/priv")")" None \
    "--private in a MapPublicIpOnLaunch subnet: no public address (D10)"
L --ami "$AMI" --subnet "$SUB" --public --no-wait --json >"$T_TMP/pub" 2>&1
pid=$(ids_of "$T_TMP/pub")
read -r PRIV PUB < <(b3 'i = inst(sys.argv[1]); print(i["PrivateIpAddress"], i.get("PublicIpAddress"))' "$pid")
"$DESKCTL" wait "$pid" --connect private --addr-map "$PRIV=127.0.0.1:$PORT,$PUB=127.0.0.1:1" \
    --json >"$T_TMP/pubw" 2>&1
like "$?/$(cat "$T_TMP/pubw")" "^0/.*\"public_ip\":\"$PUB\".*\"url\":\"http://127.0.0.1:$PORT\"" \
    "--public assigns a public address, --connect private drives the agent privately"
"$DESKCTL" terminate --all-mine >/dev/null 2>&1

# --- the AMI map, root device, IAM profile, monitoring, EBS ---
printf '{"us-east-1": "%s", "us-west-2": "ami-760aaa0f"}\n' "$AMI" >"$T_TMP/amis.json"
L --region us-west-2 --ami-map "$T_TMP/amis.json" --disk-gb 40 \
    --iam-instance-profile deskd-guest --monitoring --throughput 1000 --iops 4000 \
    --no-wait --json >"$T_TMP/map" 2>"$T_TMP/map.err"
is "$?" 0 "launch --ami-map in us-west-2"
wid=$(ids_of "$T_TMP/map")
is "$(R=us-west-2 b3 '
i = inst(sys.argv[1])
bd = [b["DeviceName"] for b in i["BlockDeviceMappings"]]
vol = ec2.describe_volumes(VolumeIds=[i["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]])["Volumes"][0]
print(i["ImageId"], i["RootDeviceName"], bd, vol["Size"], vol["VolumeType"],
      "deskd-guest" in i.get("IamInstanceProfile", {}).get("Arn", ""), i["Monitoring"]["State"])' "$wid")" \
    "ami-760aaa0f /dev/xvda ['/dev/xvda'] 40 gp3 True enabled" \
    "boto3: the map's us-west-2 AMI, its root /dev/xvda sized 40 GB (no second volume), profile, monitoring"
L --region us-west-2 --ami-map "$T_TMP/amis.json" --region eu-north-1 --no-wait \
    >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^2/.*has no AMI for region eu-north-1' "a region the map lacks: usage error"

# --- deskctl network create / check, and the open-group refusal ---
read -r HOSTIP < <(python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.connect(("192.0.2.1", 9)); print(s.getsockname()[0])
except OSError:
    print("")')
if [ -n "$HOSTIP" ]; then
	HNET=$(python3 -c 'import ipaddress,sys; print(ipaddress.ip_network(sys.argv[1] + "/16", strict=False))' "$HOSTIP")
	read -r HVPC HSUB < <(b3 '
v = ec2.create_vpc(CidrBlock=sys.argv[1])["Vpc"]["VpcId"]
print(v, ec2.create_subnet(VpcId=v, CidrBlock=sys.argv[1].replace("/16", "/24"))["Subnet"]["SubnetId"])' "$HNET")
	"$DESKCTL" network create --subnet "$HSUB" --json >"$T_TMP/net1" 2>&1
	like "$?/$(cat "$T_TMP/net1")" "^0/.*\"vpc\":\"$HVPC\",\"from\":\"$HNET\"" \
	    "network create: this host is in the VPC, so the VPC's range"
fi
read -r NVPC NSUB < <(b3 '
v = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
print(v, ec2.create_subnet(VpcId=v, CidrBlock="10.77.1.0/24")["Subnet"]["SubnetId"])')
"$DESKCTL" network create --subnet "$NSUB" --json >"$T_TMP/net2" 2>&1
rc=$?
if [ "$rc" = 0 ]; then
	like "$(cat "$T_TMP/net2")" "\"from\":\"$HOSTIP/32\"" \
	    "network create outside the VPC: this host's own address /32"
else
	like "$rc/$(cat "$T_TMP/net2")" '^2/.*give --from CIDR' \
	    "network create outside the VPC, no public address: refuses (fail-secure)"
fi
"$DESKCTL" network create --subnet "$NSUB" --from 203.0.113.7/32 --ssh-from 198.51.100.0/24 \
    --name tight --json >"$T_TMP/net3" 2>"$T_TMP/net3.err"
is "$?" 0 "network create --from --ssh-from"
TIGHT=$(json_get "$T_TMP/net3" 'j["group_id"]')
is "$(b3 '
g = ec2.describe_security_groups(GroupIds=[sys.argv[1]])["SecurityGroups"][0]
rules = sorted((p["IpProtocol"], p["FromPort"], p["ToPort"], r["CidrIp"]) for p in g["IpPermissions"] for r in p["IpRanges"])
other = [p for p in g["IpPermissions"] if p.get("Ipv6Ranges") or p.get("UserIdGroupPairs") or p.get("PrefixListIds")]
print(g["VpcId"], rules, other)' "$TIGHT")" \
    "$NVPC [('tcp', 22, 22, '198.51.100.0/24'), ('tcp', 5000, 5000, '203.0.113.7/32'), ('tcp', 9222, 9222, '203.0.113.7/32')] []" \
    "boto3: exactly 5000 and 9222 from --from, 22 from --ssh-from, nothing else inbound"
"$DESKCTL" network create --subnet "$NSUB" --from 0.0.0.0/0 >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^2/.*everyone' "network create --from 0.0.0.0/0: refused"
"$DESKCTL" network check "$TIGHT" --from 203.0.113.0/24 >"$T_TMP/chk1" 2>&1
like "$?/$(cat "$T_TMP/chk1")" "^1/.*too open: tcp 22 from 198.51.100.0/24" \
    "network check: SSH wider than the host's range is reported"
"$DESKCTL" network check "$TIGHT" --from 192.0.0.0/2 >/dev/null 2>&1
is "$?" 0 "network check: a group within the range is ok (exit 0)"
# OSWorld's guide: 8 inbound rules (desktop_env/providers/aws/AWS_GUIDELINE.md).
OSW=$(b3 '
g = ec2.create_security_group(GroupName="osworld", Description="OSWorld guide", VpcId=sys.argv[1])["GroupId"]
r = lambda p, c: {"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "IpRanges": [{"CidrIp": c}]}
ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[
    r(22, "0.0.0.0/0"), r(80, "172.31.0.0/16"), r(5000, "172.31.0.0/16"), r(5910, "0.0.0.0/0"),
    r(8006, "172.31.0.0/16"), r(8080, "172.31.0.0/16"), r(8081, "172.31.0.0/16"), r(9222, "172.31.0.0/16")])
print(g)' "$VPC")
"$DESKCTL" network check "$OSW" >"$T_TMP/chk2" 2>&1
rc=$?
like "$rc/$(tr '\n' ' ' <"$T_TMP/chk2")" "^1/$OSW: too open: tcp 22 from 0.0.0.0/0 is wider than the host's range 172.31.0.0/16 \(SSH, open to everyone\)" \
    "network check flags OSWorld's 8-rule group, with the reason"
OPEN=$(b3 '
g = ec2.create_security_group(GroupName="wide-open", Description="x", VpcId=sys.argv[1])["GroupId"]
ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5000, "ToPort": 5000, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
print(g)' "$VPC")
L --ami "$AMI" --subnet "$SUB" --security-group "$OPEN" --no-wait >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" "^1/.*$OPEN opens 5000 to 0.0.0.0/0.*--allow-open-group" \
    "launch refuses a group open to the world on 5000"
is "$(b3 'print(len([i for i in insts() if i["State"]["Name"] == "running" and any(g["GroupId"] == sys.argv[1] for n in i["NetworkInterfaces"] for g in n["Groups"])]))' "$OPEN")" \
    0 "... and launched nothing"
L --ami "$AMI" --subnet "$SUB" --security-group "$OPEN" --allow-open-group --no-wait --json \
    >"$T_TMP/open" 2>&1
is "$?" 0 "--allow-open-group launches anyway"
"$DESKCTL" terminate --all-mine >/dev/null 2>&1

# --- a token per guest; none in tags, user data of others, logs ---
L --ami "$AMI" --count 3 --no-wait --json -v >"$T_TMP/three" 2>"$T_TMP/three.err"
is "$?" 0 "launch --count 3"
python3 - "$T_TMP/three" <<'PY' >"$T_TMP/tok"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in rows:
    print(r["id"], r["token"])
PY
is "$(awk '{print $2}' "$T_TMP/tok" | sort -u | wc -l | tr -d ' ')" 3 "three guests, three different tokens"
is "$(b3 '
import base64
bad = 0
toks = dict(l.split() for l in open(sys.argv[1]))
for i, t in toks.items():
    ud = base64.b64decode(ec2.describe_instance_attribute(InstanceId=i, Attribute="userData")["UserData"]["Value"]).decode()
    if ("content: \"%s\"" % t) not in ud or any(o in ud for j, o in toks.items() if j != i):
        bad += 1
    if any(t in json.dumps(x) for x in inst(i).get("Tags", [])):
        bad += 1
print(bad)' "$T_TMP/tok")" 0 "boto3: each guest's user data holds its own token only, no tag holds one"
bad=0
while read -r _ t; do grep -q "$t" "$T_TMP/three.err" && bad=1; done <"$T_TMP/tok"
is "$bad" 0 "no token in the -v log"
ctoks=$(b3 'print(len(set(inst(i)["ClientToken"] for i in sys.argv[1:])))' $(awk '{print $1}' "$T_TMP/tok"))
is "$ctoks" 3 "one ClientToken per guest"
"$DESKCTL" terminate --all-mine >/dev/null 2>&1

# --- two regions: ls, terminate A B, --all-mine (D1) ---
L --region us-east-1 --ami "$AMI" --no-wait --json >"$T_TMP/e" 2>&1
L --region us-west-2 --ami "$AMI" --no-wait --json >"$T_TMP/w" 2>&1
E=$(ids_of "$T_TMP/e"); W=$(ids_of "$T_TMP/w")
"$DESKCTL" ls >"$T_TMP/ls2" 2>&1
is "$(awk -v e="$E" -v w="$W" '$1 == e || $1 == w {print $3}' "$T_TMP/ls2" | tr '\n' ' ')" \
    "running running " "ls shows both regions' guests running"
"$DESKCTL" terminate "$E" "$W" >"$T_TMP/t2" 2>&1
is "$?/$(sort "$T_TMP/t2" | tr '\n' ' ')" "0/$(printf 'terminated %s\n' "$E" "$W" | sort | tr '\n' ' ')" \
    "terminate A B across two regions: both terminated"
is "$(R=us-east-1 b3 'print(states(sys.argv[1:]))' "$E")/$(R=us-west-2 b3 'print(states(sys.argv[1:]))' "$W")" \
    "terminated/terminated" "boto3: both are terminated in their own region"
L --region us-west-2 --ami "$AMI" --no-wait --json >"$T_TMP/w2" 2>&1
rm -f "$XDG_STATE_HOME/deskctl/state.json"
"$DESKCTL" terminate --all-mine --region us-west-2 >"$T_TMP/t3" 2>&1
like "$?/$(cat "$T_TMP/t3")" "^0/terminated $(ids_of "$T_TMP/w2")" \
    "--all-mine searches the region --region names (no record at all)"

# --- the cron case: region only in ~/.aws/config, no state file (D2) ---
printf '[default]\nregion = us-east-1\n' >"$T_TMP/config"
L --ami "$AMI" --count 2 --ttl 1s --no-wait --json >"$T_TMP/cron" 2>&1
L --ami "$AMI" --ttl 1h --no-wait --json >"$T_TMP/cronkeep" 2>&1
rm -f "$XDG_STATE_HOME/deskctl/state.json"
sleep 2
env -u AWS_REGION -u AWS_DEFAULT_REGION AWS_CONFIG_FILE="$T_TMP/config" \
    "$DESKCTL" terminate --expired >"$T_TMP/cron.out" 2>&1
is "$?/$(grep -c '^terminated' "$T_TMP/cron.out")" "0/2" \
    "cron: terminate --expired with the region only in the config file"
is "$(b3 'print(states(sys.argv[1:]))' $(ids_of "$T_TMP/cron") $(ids_of "$T_TMP/cronkeep"))" \
    "terminated terminated running" "boto3: the expired two terminated, the other runs"
"$DESKCTL" terminate --all-mine >/dev/null 2>&1

# --- progress on a terminal, not with --json; lines as each is ready ---
script -qfec "$DESKCTL launch --provider ec2 --ami $AMI --count 2 --addr-map '$MAP'" \
    /dev/null >"$T_TMP/pty" 2>&1
tr -d '\r' <"$T_TMP/pty" >"$T_TMP/pty.txt"
like "$(cat "$T_TMP/pty.txt")" 'deskctl: i-[0-9a-f]+: pending \([0-9.]+ s\).*deskctl: i-[0-9a-f]+: running \([0-9.]+ s\).*deskctl: i-[0-9a-f]+: ready \([0-9.]+ s\)' \
    "on a terminal: pending, running, ready with seconds"
script -qfec "$DESKCTL launch --provider ec2 --ami $AMI --count 2 --addr-map '$MAP' --json" \
    /dev/null >"$T_TMP/ptyj" 2>&1
is "$(grep -c 'deskctl: i-' "$T_TMP/ptyj")/$(grep -c '"state":"ready"' "$T_TMP/ptyj")" "0/2" \
    "--json on a terminal: no progress lines, two ready lines"
"$DESKCTL" terminate --all-mine >/dev/null 2>&1

# --- a failed wait: terminated unless --keep (D5); gone meanwhile (D6) ---
L --ami "$AMI" --count 2 --timeout 3s --json >"$T_TMP/f" 2>"$T_TMP/f.err"
like "$?/$(cat "$T_TMP/f.err")" '^4/.*not ready, so terminated' "a failed wait says it terminated them"
is "$(b3 'print(states(sys.argv[1:]))' $(ids_of "$T_TMP/f"))" "terminated terminated" \
    "boto3: nothing left running after a failed launch"
L --ami "$AMI" --timeout 3s --keep --json >"$T_TMP/k" 2>"$T_TMP/k.err"
like "$?/$(cat "$T_TMP/k")/$(cat "$T_TMP/k.err")" '^4/.*"token":"[0-9a-f]{64}".*left as they are' \
    "--keep: left running, said, and the token given"
L --ami "$AMI" --timeout 60s --json >"$T_TMP/g" 2>"$T_TMP/g.err" &
lp=$!
for _ in $(seq 100); do
	gid=$(python3 -c 'import json,sys; r=[x["id"] for x in json.load(open(sys.argv[1]))["instances"] if x.get("state") != "ready" and x["id"] not in sys.argv[2:]]; print(r[0] if r else "")' \
	    "$XDG_STATE_HOME/deskctl/state.json" $(ids_of "$T_TMP/k") 2>/dev/null)
	[ -n "$gid" ] && break
	sleep 0.1
done
sleep 1
b3 'ec2.terminate_instances(InstanceIds=[sys.argv[1]])' "$gid" >/dev/null
wait "$lp"
like "$?/$(cat "$T_TMP/g")" '^4/.*"error":"instance is (shutting-down|terminated)' \
    "a guest terminated during the wait fails at once with that reason (D6)"
"$DESKCTL" terminate --all-mine >/dev/null 2>&1

# --- proxies: lost answers (D4), an unknown id (D9), 1001 ids (D8) ---
start_proxy() {
	local p
	p=$(free_port)
	PROXY_URL=http://127.0.0.1:$p
	PROXY_COUNT=$T_TMP/count.$p
	: >"$PROXY_COUNT"
	python3 "$PROXY" "$p" "$MOTO_PORT" --count "$PROXY_COUNT" "$@" \
	    >"$T_TMP/proxy.$p.log" 2>&1 &
	T_PIDS+=("$!")
	wait_http "$PROXY_URL/moto-api/" || fail "proxy did not start"
}
start_proxy --idempotent --lose-run 1000
L --endpoint-url "$PROXY_URL" --ami "$AMI" --count 2 --no-wait --json \
    >"$T_TMP/lost" 2>"$T_TMP/lost.err"
like "$?/$(cat "$T_TMP/lost.err")" '^0/.*answer lost, but EC2 started i-.*ClientToken' \
    "every RunInstances answer lost: found by ClientToken, said so (D4)"
is "$(ids_of "$T_TMP/lost" | wc -w | tr -d ' ')/$(b3 'print(states(sys.argv[1:]))' $(ids_of "$T_TMP/lost"))" \
    "2/running running" "... both recorded, with their tokens, and running"
is "$(grep -c '^RunInstances' "$PROXY_COUNT")" 8 "... 2 RunInstances with 4 attempts each, none launched twice"
"$DESKCTL" terminate --all-mine >/dev/null 2>&1

L --ami "$AMI" --no-wait --json >"$T_TMP/good" 2>&1
GOOD=$(ids_of "$T_TMP/good")
start_proxy --unknown-id i-0123456789abcdef0
"$DESKCTL" wait "$GOOD" i-0123456789abcdef0 --endpoint-url "$PROXY_URL" \
    --addr-map "$MAP" --timeout 4s --json >"$T_TMP/unk" 2>&1
like "$?/$(tr '\n' ' ' <"$T_TMP/unk")" "^4/.*\"id\":\"$GOOD\",[^}]*\"state\":\"ready\"" \
    "wait GOOD UNKNOWN: the good one is ready anyway (D9)"
"$DESKCTL" terminate --all-mine >/dev/null 2>&1

L --ami "$AMI" --count 3 --no-wait --json >"$T_TMP/k1" 2>&1
start_proxy
DESKCTL_TERMINATE_BATCH=2 "$DESKCTL" terminate --all-mine --endpoint-url "$PROXY_URL" \
    >"$T_TMP/tb" 2>&1
is "$?/$(grep -c '^terminated' "$T_TMP/tb")" "0/3" "terminate --all-mine of 3 in batches of 2 (test aid)"
is "$(grep '^TerminateInstances' "$PROXY_COUNT" | tr '\n' ' ')" \
    "TerminateInstances ids=2 TerminateInstances ids=1 " \
    "... batch by batch: never more than the limit in one call (D8; EC2 takes 1000)"
is "$(b3 'print(states(sys.argv[1:]))' $(ids_of "$T_TMP/k1"))" "terminated terminated terminated" \
    "boto3: all three terminated"

# --- credentials: unsupported sources, missing profiles, [services] (D12) ---
cat >"$T_TMP/cfg2" <<EOF
[profile cp]
credential_process = /bin/false
[profile svc]
region = us-east-1
aws_access_key_id = $LT_AKID
aws_secret_access_key = $LT_SECRET
services = motoep
[services motoep]
ec2 =
  endpoint_url = $MOTO_URL
EOF
C=(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_ENDPOINT_URL_EC2 AWS_CONFIG_FILE="$T_TMP/cfg2")
AWS_PROFILE=cp "${C[@]}" "$DESKCTL" ls --provider ec2 >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" "^3/.*'cp' gets its credentials from credential_process, which deskctl does not support" \
    "a credential_process profile: exit 3, says so"
AWS_PROFILE=nosuch "${C[@]}" "$DESKCTL" ls --provider ec2 >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" "^3/.*profile 'nosuch' is in neither" "a missing profile is named as such"
AWS_PROFILE=svc "${C[@]}" "$DESKCTL" ls --provider ec2 -v >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" "^0/.*EC2 endpoint $MOTO_URL" "a [services] section's ec2 endpoint_url is used"

"$DESKCTL" --version >"$T_TMP/v"
like "$?/$(cat "$T_TMP/v")" '^0/deskctl [0-9]' "deskctl --version"
