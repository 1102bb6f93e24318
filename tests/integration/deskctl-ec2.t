#!/usr/bin/env bash
# deskctl against moto's EC2 server with signature checking on
# (INITIAL_NO_AUTH_ACTION_COUNT): launch 20 at once with long-term and then
# with session credentials, ls with tags (cross-checked with the aws CLI),
# user data, IMDSv2, terminate; wait on --no-wait guests; SIGINT during a
# wait; wrong credentials; the shared credentials/config files.  The health
# wait goes to a real local deskd (DESKCTL_ADDR_MAP test aid): moto's
# addresses are fake and never contacted.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/tools/deskctl-moto.sh"

moto_requirements aws
AMI=ami-12c6146b

start_moto 5 || exit 1
moto_iam_setup
ok $? "moto with signature checking; IAM user with an access key"
start_xvfb || exit 1
start_deskd --no-auth || exit 1
MAP="*=127.0.0.1:$PORT"
E=(--endpoint-url "$MOTO_URL")

# round LABEL: launch 20, check everything, terminate them.
round() {
	local l=$1 rc ids n
	"$DESKCTL" launch --provider ec2 "${E[@]}" --ami "$AMI" --count 20 \
	    --type t3.micro --tag team=qa --tag "Name=guest-$l" --ttl 2h \
	    --addr-map "$MAP" --json >"$T_TMP/launch.$l" 2>"$T_TMP/launch.$l.err"
	rc=$?
	is "$rc" 0 "$l: launch --count 20 exits 0"
	[ "$rc" = 0 ] || sed 's/^/# /' "$T_TMP/launch.$l.err"
	n=$(grep -c '"state":"ready"' "$T_TMP/launch.$l")
	is "$n" 20 "$l: 20 guests reported ready"
	like "$(head -n1 "$T_TMP/launch.$l")" \
	    '"token":"[0-9a-f]{64}".*"seconds":' \
	    "$l: each line has the token and the seconds to ready"
	like "$(head -n1 "$T_TMP/launch.$l")" "\"url\":\"http://127.0.0.1:$PORT\"" \
	    "$l: agent URL is the mapped local deskd"
	ids=$(python3 -c 'import sys,json; print(" ".join(json.loads(x)["id"] for x in open(sys.argv[1])))' "$T_TMP/launch.$l")

	"$DESKCTL" ls "${E[@]}" --json >"$T_TMP/ls.$l" 2>"$T_TMP/ls.$l.err"
	is "$?" 0 "$l: ls exits 0"
	python3 - "$T_TMP/ls.$l" "$l" "$DESKCTL_OWNER" $ids <<'PY'
import json, sys
rows = {}
for x in open(sys.argv[1]):
    j = json.loads(x)
    rows[j["id"]] = j
label, owner, ids = sys.argv[2], sys.argv[3], sys.argv[4:]
bad = []
for i in ids:
    r = rows.get(i)
    if r is None:
        bad.append(i + " missing")
        continue
    t = r["tags"]
    if (r["state"] != "running" or t.get("Name") != "guest-" + label or
            t.get("team") != "qa" or t.get("deskd:owner") != owner or
            "deskd:expires-at" not in t):
        bad.append("%s: %r %r" % (i, r["state"], t))
if len(ids) != 20:
    bad.append("%d ids" % len(ids))
print("ok - %s: ls shows all 20 running with Name, team, owner, expiry tags" % label
      if not bad else "not ok - %s: ls: %s" % (label, bad[:3]))
PY
	aws_lt ec2 describe-instances --filters \
	    "Name=tag:deskd:owner,Values=$DESKCTL_OWNER" \
	    "Name=instance-state-name,Values=running" --output json \
	    >"$T_TMP/desc.$l" 2>&1
	is "$?" 0 "$l: aws ec2 describe-instances (independent check) works"
	python3 - "$T_TMP/desc.$l" "$l" "$T_TMP/launch.$l" $ids <<'PY'
import json, sys
label = sys.argv[2]
try:
    d = json.load(open(sys.argv[1]))
except ValueError:
    print("not ok - %s: aws CLI answer is not JSON" % label)
    sys.exit(1)
token = json.loads(open(sys.argv[3]).readline())["token"]
ids = set(sys.argv[4:])
seen = {}
for r in d["Reservations"]:
    for i in r["Instances"]:
        seen[i["InstanceId"]] = i
bad = [i for i in ids if i not in seen]
for i in ids & set(seen):
    inst = seen[i]
    tags = {t["Key"]: t["Value"] for t in inst.get("Tags", [])}
    if tags.get("Name") != "guest-" + label or tags.get("team") != "qa":
        bad.append(i + " tags")
    if inst.get("MetadataOptions", {}).get("HttpTokens") != "required":
        bad.append(i + " IMDSv1 allowed")
    if inst.get("InstanceType") != "t3.micro":
        bad.append(i + " type")
if len(ids) != 20:
    bad.append("%d ids" % len(ids))
print("ok - %s: aws CLI sees the 20 with their tags and IMDSv2 required" % label
      if not bad else "not ok - %s: aws CLI: %s" % (label, bad[:3]))
print("ok - %s: the token is in no tag or attribute" % label
      if token not in open(sys.argv[1]).read()
      else "not ok - %s: token visible in describe-instances" % label)
PY
	aws_lt ec2 describe-instance-attribute --attribute userData \
	    --instance-id "${ids%% *}" --output json >"$T_TMP/ud.$l" 2>&1
	python3 - "$T_TMP/ud.$l" "$T_TMP/launch.$l" "$l" <<'PY'
import base64, json, sys
try:
    ud = base64.b64decode(json.load(open(sys.argv[1]))["UserData"]["Value"]).decode()
except Exception as e:
    ud = "error: %r" % e
token = json.loads(open(sys.argv[2]).readline())["token"]
good = (ud.startswith("#cloud-config\n") and "path: /etc/deskd/token" in ud
        and 'permissions: "0600"' in ud and "owner: user:user" in ud
        and ('content: "%s"' % token) in ud)
print(("ok" if good else "not ok") +
      " - %s: user data is cloud-init writing the token to /etc/deskd/token 0600" % sys.argv[3])
open(sys.argv[1] + ".yaml", "w").write(ud)
PY
	if command -v cloud-init >/dev/null; then
		cloud-init schema -c "$T_TMP/ud.$l.yaml" >/dev/null 2>&1
		ok $? "$l: cloud-init schema accepts the user data"
	fi
	# The image's side of the contract (packaging/cloud-init/README.md).
	if [ -f "$TOP/packaging/cloud-init/check-user-data.py" ] &&
	    python3 -c 'import yaml' 2>/dev/null; then
		is "$(python3 "$TOP/packaging/cloud-init/check-user-data.py" \
		    "$T_TMP/ud.$l.yaml" 2>&1)" ok \
		    "$l: packaging's check-user-data.py accepts it"
	fi

	"$DESKCTL" terminate "${E[@]}" $ids >"$T_TMP/term.$l" 2>&1
	is "$?" 0 "$l: terminate exits 0"
	is "$(grep -c '^terminated i-' "$T_TMP/term.$l")" 20 \
	    "$l: terminate reports 20"
	aws_lt ec2 describe-instances --instance-ids $ids --query \
	    'Reservations[].Instances[].[InstanceId,State.Name]' --output text \
	    >"$T_TMP/after.$l"
	is "$(count_state running "$T_TMP/after.$l")" 0 \
	    "$l: none of the 20 is left running"
	is "$(wc -l <"$T_TMP/after.$l" | tr -d ' ')" 20 \
	    "$l: all 20 still described (shutting-down/terminated)"
}

export AWS_ACCESS_KEY_ID=$LT_AKID AWS_SECRET_ACCESS_KEY=$LT_SECRET
round longterm

st=$XDG_STATE_HOME/deskctl
is "$(stat -c %a "$st")" 700 "state directory is 0700"
is "$(stat -c %a "$st/state.json")" 600 "state file is 0600"

moto_session
ok $? "AssumeRole gave temporary credentials"
like "$SESS_AKID" '^ASIA' "session key is an ASIA... key"
export AWS_ACCESS_KEY_ID=$SESS_AKID AWS_SECRET_ACCESS_KEY=$SESS_SECRET \
    AWS_SESSION_TOKEN=$SESS_TOKEN
round session

# --agent-allow and --desktop-user shape the user data.
"$DESKCTL" launch --provider ec2 "${E[@]}" --ami "$AMI" --no-wait --json \
    --agent-allow 10.0.0.0/16 --desktop-user ubuntu >"$T_TMP/allow" 2>&1
aid=$(python3 -c 'import sys,json; print(json.loads(open(sys.argv[1]).readline())["id"])' "$T_TMP/allow")
aws_lt ec2 describe-instance-attribute --attribute userData \
    --instance-id "$aid" --query UserData.Value --output text |
    base64 -d >"$T_TMP/allow.yaml"
like "$(cat "$T_TMP/allow.yaml")" 'owner: ubuntu:ubuntu.*path: /etc/deskd/instance.env.*DESKD_INSTANCE_OPTS="--allow 10.0.0.0/16"' \
    "--agent-allow writes instance.env, --desktop-user owns the token"
if [ -f "$TOP/packaging/cloud-init/check-user-data.py" ] &&
    python3 -c 'import yaml' 2>/dev/null; then
	is "$(python3 "$TOP/packaging/cloud-init/check-user-data.py" --user ubuntu \
	    "$T_TMP/allow.yaml" 2>&1)" ok "... and packaging's checker accepts it"
fi
"$DESKCTL" terminate "$aid" >/dev/null 2>&1

# --no-wait, then deskctl wait; the endpoint from AWS_ENDPOINT_URL_EC2.
AWS_ENDPOINT_URL_EC2=$MOTO_URL "$DESKCTL" launch --provider ec2 --ami "$AMI" \
    --count 2 --no-wait --json >"$T_TMP/nowait" 2>&1
is "$?" 0 "launch --no-wait (endpoint from AWS_ENDPOINT_URL_EC2)"
ids=$(python3 -c 'import sys,json; print(" ".join(json.loads(x)["id"] for x in open(sys.argv[1])))' "$T_TMP/nowait")
"$DESKCTL" wait $ids --addr-map "$MAP" --json >"$T_TMP/wait" 2>&1
is "$?" 0 "deskctl wait on the --no-wait guests exits 0"
is "$(grep -c '"state":"ready"' "$T_TMP/wait")" 2 "both became ready"
"$DESKCTL" terminate $ids >/dev/null 2>&1
is "$?" 0 "terminate them (endpoint remembered in the state file)"
unset AWS_SESSION_TOKEN
export AWS_ACCESS_KEY_ID=$LT_AKID AWS_SECRET_ACCESS_KEY=$LT_SECRET

# Temporary key without its token, and a wrong secret: exit 3, clear words.
AWS_ACCESS_KEY_ID=$SESS_AKID AWS_SECRET_ACCESS_KEY=$SESS_SECRET \
    "$DESKCTL" ls --provider ec2 "${E[@]}" >/dev/null 2>"$T_TMP/err1"
is "$?" 3 "session key without AWS_SESSION_TOKEN: exit code 3"
AWS_SECRET_ACCESS_KEY=not-the-secret "$DESKCTL" launch --provider ec2 \
    "${E[@]}" --ami "$AMI" >/dev/null 2>"$T_TMP/err2"
is "$?" 3 "wrong secret: launch exits 3"
like "$(cat "$T_TMP/err2")" 'AuthFailure.*credentials were rejected.*environment' \
    "wrong secret: the error names AuthFailure, the fix and the source"

# The shared credentials file with a profile, region from the config file.
printf '[default]\naws_access_key_id = nope\naws_secret_access_key = nope\n[dev]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
    "$LT_AKID" "$LT_SECRET" >"$T_TMP/credentials"
printf '[profile dev]\nregion = us-east-1\n' >"$T_TMP/config"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_DEFAULT_REGION \
    AWS_SHARED_CREDENTIALS_FILE="$T_TMP/credentials" \
    AWS_CONFIG_FILE="$T_TMP/config" AWS_PROFILE=dev \
    "$DESKCTL" ls --provider ec2 "${E[@]}" >/dev/null 2>"$T_TMP/err3"
is "$?" 0 "credentials file [dev] via AWS_PROFILE, region from [profile dev]"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
    AWS_SHARED_CREDENTIALS_FILE="$T_TMP/credentials" \
    "$DESKCTL" ls --provider ec2 "${E[@]}" >/dev/null 2>&1
is "$?" 3 "credentials file [default] with a bad key: exit code 3"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$DESKCTL" ls \
    --provider ec2 "${E[@]}" >/dev/null 2>"$T_TMP/err4"
is "$?" 3 "no credentials anywhere: exit code 3"
like "$(cat "$T_TMP/err4")" 'no AWS credentials found' "... and says so"

# A missing AMI is explained (moto launches any ImageId, so by name).
"$DESKCTL" launch --provider ec2 "${E[@]}" --ami-name 'no-such-image-*' \
    >/dev/null 2>"$T_TMP/err5"
rc=$?
like "$rc/$(cat "$T_TMP/err5")" '^1/.*no available AMI named .no-such-image-\*.*check --ami-name' \
    "unknown AMI name: exit 1 and an actionable message"

# SIGINT in the middle of the health wait terminates what the run started.
"$DESKCTL" launch --provider ec2 "${E[@]}" --ami "$AMI" --count 3 \
    --addr-map '*=127.0.0.1:1' >"$T_TMP/int.out" 2>"$T_TMP/int.err" &
lp=$!
for _ in $(seq 200); do
	[ "$(grep -o '"i-[0-9a-f]*"' "$XDG_STATE_HOME/deskctl/state.json" 2>/dev/null | wc -l)" -ge 3 ] && break
	sleep 0.1
done
ids=$(python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(open(sys.argv[1]))["instances"]))' "$XDG_STATE_HOME/deskctl/state.json")
sleep 1
kill -INT "$lp"
wait "$lp"
is "$?" 130 "SIGINT during wait: exit 130"
like "$(cat "$T_TMP/int.err")" 'interrupted: terminated 3 instance' \
    "SIGINT: it says what it terminated"
aws_lt ec2 describe-instances --instance-ids $ids --query \
    'Reservations[].Instances[].[InstanceId,State.Name]' --output text \
    >"$T_TMP/int.after"
is "$(wc -l <"$T_TMP/int.after" | tr -d ' ')/$(count_state running "$T_TMP/int.after")" \
    "3/0" "SIGINT: none of the 3 is left running"
aws_lt ec2 describe-instances --filters "Name=instance-state-name,Values=running,pending" \
    --query 'Reservations[].Instances[].InstanceId' --output text >"$T_TMP/all"
is "$(wc -w <"$T_TMP/all" | tr -d ' ')" 0 "no running instance left in moto at all"
is "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["instances"]))' "$XDG_STATE_HOME/deskctl/state.json")" \
    0 "state file is empty again"
