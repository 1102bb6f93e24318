#!/usr/bin/env bash
# deskctl through a fault-injecting proxy in front of moto
# (tests/tools/ec2-fault-proxy.py): RequestLimitExceeded on the first calls
# of every action and InvalidInstanceID.NotFound right after launch, and
# deskctl still launches, waits and terminates; retries give up cleanly;
# capacity errors are explained; --ami-name picks the newest image;
# credentials and region from IMDSv2 (moto emulates the metadata service).
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/tools/deskctl-moto.sh"

moto_requirements aws
PROXY=$TOP/tests/tools/ec2-fault-proxy.py

# Two images named deskd-agent-*: the newer must win.
cat >"$T_TMP/amis.json" <<'JSON'
[
 {"ami_id": "ami-0deskd0000000001", "state": "available", "public": true,
  "owner_id": "123456789012", "image_location": "amazon/deskd-agent-1",
  "sriov": "simple", "root_device_type": "ebs", "root_device_name": "/dev/sda1",
  "description": "old", "image_type": "machine", "platform": null,
  "architecture": "x86_64", "name": "deskd-agent-2025.01",
  "virtualization_type": "hvm", "hypervisor": "xen",
  "creation_date": "2025-01-01T00:00:00.000Z"},
 {"ami_id": "ami-0deskd0000000002", "state": "available", "public": true,
  "owner_id": "123456789012", "image_location": "amazon/deskd-agent-2",
  "sriov": "simple", "root_device_type": "ebs", "root_device_name": "/dev/sda1",
  "description": "new", "image_type": "machine", "platform": null,
  "architecture": "x86_64", "name": "deskd-agent-2026.06",
  "virtualization_type": "hvm", "hypervisor": "xen",
  "creation_date": "2026-06-01T00:00:00.000Z"},
 {"ami_id": "ami-0squat000000004", "state": "available", "public": true,
  "owner_id": "999999999999", "image_location": "evil/deskd-agent",
  "sriov": "simple", "root_device_type": "ebs", "root_device_name": "/dev/sda1",
  "description": "someone else's, newest, same name", "image_type": "machine",
  "platform": null, "architecture": "x86_64", "name": "deskd-agent-2027.01",
  "virtualization_type": "hvm", "hypervisor": "xen",
  "creation_date": "2027-01-01T00:00:00.000Z"},
 {"ami_id": "ami-0other000000003", "state": "available", "public": true,
  "owner_id": "123456789012", "image_location": "amazon/other",
  "sriov": "simple", "root_device_type": "ebs", "root_device_name": "/dev/sda1",
  "description": "newest but another name", "image_type": "machine",
  "platform": null, "architecture": "x86_64", "name": "other-2027",
  "virtualization_type": "hvm", "hypervisor": "xen",
  "creation_date": "2027-01-01T00:00:00.000Z"}
]
JSON
export MOTO_AMIS_PATH=$T_TMP/amis.json
start_moto || exit 1
unset MOTO_AMIS_PATH
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
LT_AKID=testing LT_SECRET=testing

# start_proxy ARGS...: sets PROXY_URL, PROXY_LOG.
start_proxy() {
	local p
	p=$(free_port)
	PROXY_URL=http://127.0.0.1:$p
	PROXY_LOG=$T_TMP/faults.$p
	: >"$PROXY_LOG"
	python3 "$PROXY" "$p" "$MOTO_PORT" --log "$PROXY_LOG" "$@" \
	    >"$T_TMP/proxy.$p.log" 2>&1 &
	T_PIDS+=("$!")
	T_LOGS+=("$T_TMP/proxy.$p.log")
	wait_http "$PROXY_URL/moto-api/" || fail "proxy did not start"
}

start_xvfb || exit 1
start_deskd --no-auth || exit 1
MAP="*=127.0.0.1:$PORT"

start_proxy --throttle 2 --notfound 3
"$DESKCTL" launch --provider ec2 --endpoint-url "$PROXY_URL" \
    --ami-name 'deskd-agent-*' --count 5 --addr-map "$MAP" --json \
    >"$T_TMP/launch" 2>"$T_TMP/launch.err"
rc=$?
is "$rc" 0 "launch through throttling and NotFound exits 0"
[ "$rc" = 0 ] || sed 's/^/# /' "$T_TMP/launch.err"
is "$(grep -c '"state":"ready"' "$T_TMP/launch")" 5 "all 5 ready"
for a in DescribeImages RunInstances DescribeInstances; do
	is "$(grep -c "^$a RequestLimitExceeded" "$PROXY_LOG")" 2 \
	    "$a was throttled twice and retried"
done
is "$(grep -c '^DescribeInstances InvalidInstanceID.NotFound' "$PROXY_LOG")" 3 \
    "InvalidInstanceID.NotFound three times after launch, tolerated"
ids=$(python3 -c 'import sys,json; print(" ".join(json.loads(x)["id"] for x in open(sys.argv[1])))' "$T_TMP/launch")
aws_lt ec2 describe-instances --instance-ids $ids --query \
    'Reservations[].Instances[].ImageId' --output text >"$T_TMP/images"
is "$(tr '\t' '\n' <"$T_TMP/images" | sort -u)" ami-0deskd0000000002 \
    "--ami-name picked the newest matching image of this account"
"$DESKCTL" terminate $ids >"$T_TMP/term" 2>&1
is "$?" 0 "terminate through throttling exits 0"
is "$(grep -c '^TerminateInstances RequestLimitExceeded' "$PROXY_LOG")" 2 \
    "TerminateInstances was throttled twice and retried"
aws_lt ec2 describe-instances --instance-ids $ids --query \
    'Reservations[].Instances[].[InstanceId,State.Name]' --output text \
    >"$T_TMP/after"
is "$(count_state running "$T_TMP/after")" 0 "none left running"

# Throttled for good: bounded attempts, then a clear failure.
start_proxy --throttle 1000
AWS_MAX_ATTEMPTS=2 "$DESKCTL" ls --provider ec2 --endpoint-url "$PROXY_URL" \
    >/dev/null 2>"$T_TMP/err1"
rc=$?
like "$rc/$(cat "$T_TMP/err1")" '^1/.*RequestLimitExceeded.*gave up after 2 attempts' \
    "endless throttling: gives up after AWS_MAX_ATTEMPTS with the code"
is "$(wc -l <"$PROXY_LOG" | tr -d ' ')" 2 "... having tried exactly twice"

# No capacity: not retried, explained, exit 5.
start_proxy --always RunInstances:InsufficientInstanceCapacity
"$DESKCTL" launch --provider ec2 --endpoint-url "$PROXY_URL" \
    --ami ami-0deskd0000000002 --type p5.48xlarge >/dev/null 2>"$T_TMP/err2"
rc=$?
like "$rc/$(cat "$T_TMP/err2")" '^5/.*InsufficientInstanceCapacity.*another --type' \
    "InsufficientInstanceCapacity: exit 5 with what to do"
is "$(wc -l <"$PROXY_LOG" | tr -d ' ')" 1 "... and no hot retry"

start_proxy --always RunInstances:UnauthorizedOperation
"$DESKCTL" launch --provider ec2 --endpoint-url "$PROXY_URL" \
    --ami ami-0deskd0000000002 >/dev/null 2>"$T_TMP/err3"
rc=$?
like "$rc/$(cat "$T_TMP/err3")" '^3/.*UnauthorizedOperation.*IAM policy' \
    "UnauthorizedOperation: exit 3, points at the IAM policy"

# Credentials and region from IMDSv2 (moto's metadata emulation).
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_DEFAULT_REGION \
    -u AWS_EC2_METADATA_DISABLED \
    AWS_EC2_METADATA_SERVICE_ENDPOINT="$MOTO_URL/" \
    "$DESKCTL" ls --provider ec2 --endpoint-url "$MOTO_URL" -v \
    >/dev/null 2>"$T_TMP/imds"
is "$?" 0 "credentials and region from IMDSv2"
like "$(cat "$T_TMP/imds")" 'region us-east-1, credentials from instance role' \
    "... the role's credentials were used"

# Another account's image only with --ami-owner (no AMI squatting).
"$DESKCTL" launch --provider ec2 --endpoint-url "$MOTO_URL" \
    --ami-name 'deskd-agent-*' --ami-owner 999999999999 --no-wait --json \
    >"$T_TMP/owner" 2>"$T_TMP/owner.err"
like "$(cat "$T_TMP/owner.err")" 'using ami-0squat000000004' \
    "... it says which image it picked"
oid=$(python3 -c 'import sys,json; print(json.loads(open(sys.argv[1]).readline())["id"])' "$T_TMP/owner")
is "$(aws_lt ec2 describe-instances --instance-ids "$oid" --query \
    'Reservations[].Instances[].ImageId' --output text)" ami-0squat000000004 \
    "--ami-owner ACCOUNT picks that account's image"
"$DESKCTL" terminate "$oid" >/dev/null 2>&1

# Spot, disk size and --ttl/--expired against moto directly.
"$DESKCTL" launch --provider ec2 --endpoint-url "$MOTO_URL" \
    --ami ami-0deskd0000000002 --spot --disk-gb 40 --ttl 1s --count 2 \
    --no-wait --json >"$T_TMP/spot" 2>&1
is "$?" 0 "launch --spot --disk-gb 40 --ttl 1s --no-wait"
ids=$(python3 -c 'import sys,json; print(" ".join(json.loads(x)["id"] for x in open(sys.argv[1])))' "$T_TMP/spot")
aws_lt ec2 describe-instances --instance-ids $ids --query \
    'Reservations[].Instances[].InstanceLifecycle' --output text >"$T_TMP/life"
is "$(tr '\t' '\n' <"$T_TMP/life" | sort -u)" spot "they are spot instances"
"$DESKCTL" launch --provider ec2 --endpoint-url "$MOTO_URL" \
    --ami ami-0deskd0000000002 --ttl 1h --no-wait --json >"$T_TMP/keep" 2>&1
keep=$(python3 -c 'import sys,json; print(json.loads(open(sys.argv[1]).readline())["id"])' "$T_TMP/keep")
sleep 2
"$DESKCTL" terminate --expired >"$T_TMP/exp" 2>&1
is "$?" 0 "terminate --expired exits 0"
is "$(grep -c '^terminated i-' "$T_TMP/exp")" 2 "... terminating the 2 expired ones"
grep -q "$keep" "$T_TMP/exp"
ok $((!$?)) "... and not the one with an hour left"
"$DESKCTL" terminate --all-mine >"$T_TMP/allmine" 2>&1
like "$?/$(cat "$T_TMP/allmine")" "^0/terminated $keep" "terminate --all-mine gets the last one"
aws_lt ec2 describe-instances --filters "Name=instance-state-name,Values=running,pending" \
    --query 'Reservations[].Instances[].InstanceId' --output text >"$T_TMP/all"
is "$(wc -w <"$T_TMP/all" | tr -d ' ')" 0 "no running instance left in moto"

# Instances EC2 forgot (moto reset here; purged after termination on AWS)
# are dropped from the state file; unknown ids are errors.
"$DESKCTL" launch --provider ec2 --endpoint-url "$MOTO_URL" \
    --ami ami-0deskd0000000002 --no-wait --json >"$T_TMP/old" 2>&1
old=$(python3 -c 'import sys,json; print(json.loads(open(sys.argv[1]).readline())["id"])' "$T_TMP/old")
curl -s -o /dev/null -X POST "$MOTO_URL/moto-api/reset"
"$DESKCTL" terminate "$old" >"$T_TMP/forgot" 2>&1
like "$?/$(cat "$T_TMP/forgot")" "^0/forgot $old" "a record EC2 no longer knows is forgotten"
"$DESKCTL" terminate i-0123456789abcdef0 --endpoint-url "$MOTO_URL" \
    >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*InvalidInstanceID.NotFound' \
    "an id neither EC2 nor the state file knows: exit 1"
