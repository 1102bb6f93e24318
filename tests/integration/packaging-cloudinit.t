#!/usr/bin/env bash
# packaging-cloudinit: the user data documented in
# packaging/cloud-init/README.md against what the image expects: cloud-init
# accepts it (its schema check, then its own write_files code writing into
# a scratch root), the token lands where the packaged deskd looks (its
# default path), owned by the user the packaged unit runs as, mode 0600,
# before deskd.service starts (cloud-init's init stage); deskd then
# demands that token, and lets its --allow from instance.env through.
# deskd running as a user that cannot read the token refuses to start.
source "$(dirname "$0")/../lib.sh"
source "$TOP/packaging/test-lib.sh"

CHECK=$TOP/packaging/cloud-init/check-user-data.py
EXAMPLE=$TOP/packaging/cloud-init/user-data.example
pkg_debs || { fail "the .debs do not build"; exit 1; }
root=$T_TMP/root
pkg_root "$root"
unit=$root/lib/systemd/system/deskd.service

# What the image expects, read from the packages themselves.
duser=$(sed -n 's/^User=//p' "$unit")
dgroup=$(sed -n 's/^Group=//p' "$unit")
is "$duser:$dgroup" "user:user" "deskd.service runs as user:user"
like "$("$root/usr/bin/deskd" --help)" 'token-file PATH .*default /etc/deskd/token' \
    "the packaged deskd reads /etc/deskd/token by default"
like "$(dpkg-deb -c "$DEB_DESKD" | awk '$6 == "./etc/deskd/" {print $1, $2}')" \
    '^drwxr-xr-x root/root$' "/etc/deskd is root's, 0755, in the package"
grep -q '^EnvironmentFile=-/etc/deskd/instance.env$' "$unit"
ok $? "deskd.service reads /etc/deskd/instance.env"
grep -q '^ExecStart=.*\$DESKD_INSTANCE_OPTS' "$unit"
ok $? "deskd.service passes \$DESKD_INSTANCE_OPTS to deskd"
grep -q '^After=.*cloud-init\.service' "$unit"
ok $? "deskd.service starts after cloud-init.service"

# The documented user data, and the checker's own teeth.
is "$(python3 "$CHECK" --user "$duser" "$EXAMPLE")" ok \
    "user-data.example meets the image's expectations"
grep -q "$(sed -n '/^```yaml/,/^```/p' "$TOP/packaging/cloud-init/README.md" |
    grep -m1 'content: "')" "$EXAMPLE"
ok $? "README.md shows the same user data as user-data.example"
bad() {	# bad SED-EXPR EXPECTED-PROBLEM DESCRIPTION
	sed "$1" "$EXAMPLE" >"$T_TMP/bad.yaml"
	like "$(python3 "$CHECK" "$T_TMP/bad.yaml")" "$2" "checker rejects $3"
}
bad 's/owner: user:user/owner: root:root/' "owner 'root:root'" "a root-owned token"
bad 's/permissions: "0600"/permissions: "0644"/' "permissions '0644'" "mode 0644"
bad 's/permissions: "0600"/permissions: "0600"\n    defer: true/' 'defer' "a deferred token"
bad 's/content: "q7y[^"]*"/content: "short"/' '16\.\.4096' "a short token"
bad 's|/etc/deskd/token|/etc/deskd/tokn|' 'no write_files entry for /etc/deskd/token' \
    "a misspelt path"
bad 's/^#cloud-config/#!\/bin\/sh/' 'cloud-config' "a shell script"
bad 's/--allow 10.0.0.0\/16/$(reboot)/' 'unexpected line' "shell in instance.env"

# cloud-init itself: the schema, the stage, and its write_files code.
if ! command -v cloud-init >/dev/null; then
	fail "cloud-init missing (packaging/deps.sh --test installs it)"
	exit 1
fi
diag "$(cloud-init --version 2>&1)"
like "$(cloud-init schema -c "$EXAMPLE" 2>&1)" '^Valid cloud-config' \
    "cloud-init's schema accepts the user data"
sed -n '/^cloud_init_modules:/,/^[a-z_]*:/p' /etc/cloud/cloud.cfg |
    grep -qE '^ *- *write[-_]files$'
ok $? "cloud-init runs write_files in its init stage (cloud-init.service)"
grep -q '^Before=sysinit.target' /lib/systemd/system/cloud-init.service
ok $? "cloud-init.service finishes before sysinit.target (so before deskd)"

# Apply it with cloud-init's code into a scratch root.  The desktop user
# does not exist on this machine: the owner becomes the running user,
# everything else is as written.
scratch=$T_TMP/scratch
mkdir -p "$scratch"
me="$(id -un):$(id -gn)"
/usr/bin/python3 - "$EXAMPLE" "$scratch" "$me" >"$T_TMP/wf.log" 2>&1 <<'EOF'
import sys, yaml
from cloudinit.config.cc_write_files import write_files
doc = yaml.safe_load(open(sys.argv[1]))
files = []
for f in doc["write_files"]:
    f = dict(f, path=sys.argv[2] + f["path"], owner=sys.argv[3])
    files.append(f)
write_files("write_files", files, sys.argv[3])
EOF
ok $? "cloud-init's write_files applies the user data"
[ -s "$T_TMP/wf.log" ] && sed 's/^/# /' "$T_TMP/wf.log"
tok=$scratch/etc/deskd/token
is "$(stat -c %a "$tok" 2>/dev/null)" 600 "the token file is mode 0600"
want=$(python3 "$CHECK" --print-token "$EXAMPLE")
is "$(cat "$tok")" "$want" "the token file holds the token"
is "$(stat -c %a "$scratch/etc/deskd/instance.env" 2>/dev/null)" 644 \
    "instance.env is mode 0644"

# The packaged deskd as the unit starts it, with the files cloud-init
# wrote: the token is required, --allow from instance.env is applied.
start_xvfb || exit 1
opts=$(env -i sh -c "set -a; . '$root/etc/default/deskd'; \
    . '$scratch/etc/deskd/instance.env'; echo \$DESKD_OPTS \$DESKD_EXTRA_OPTS \$DESKD_INSTANCE_OPTS")
like "$opts" '--allow 10\.0\.0\.0/16$' "instance.env's options reach the command line"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
# shellcheck disable=SC2086
"$root/usr/bin/deskd" $opts --listen "127.0.0.1:$PORT" --cdp-listen off \
    --display "$XDISP" --token-file "$tok" >"$T_TMP/deskd.log" 2>&1 &
DESKD_PID=$!
T_PIDS+=("$DESKD_PID")
T_LOGS+=("$T_TMP/deskd.log")
wait_http "$URL/health" || fail "deskd did not start with the token"
like "$(cat "$T_TMP/deskd.log")" 'auth: bearer token, 1 --allow' \
    "deskd uses the token and the --allow network"
is "$(http GET "$URL/health")" 200 "/health is open without the token"
is "$(http GET "$URL/screenshot")" 401 "/screenshot without the token: 401"
like "$(body)" '"error"' "the 401 is a JSON error"
is "$(http GET "$URL/screenshot" -H 'Authorization: Bearer wrong-token-0123456789')" 401 \
    "/screenshot with a wrong token: 401"
is "$(http GET "$URL/screenshot" -H "Authorization: Bearer $want")" 200 \
    "/screenshot with the token from the user data: 200"
stop_deskd

# Why the owner matters: deskd runs as the desktop user and must read the
# file.  Here "nobody" plays that user.
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	skip "owner check (needs root and setpriv to run deskd as another user)"
	exit 0
fi
chmod 0711 "$T_TMP" "$scratch" "$scratch/etc" "$scratch/etc/deskd" "$root" \
    "$root/usr" "$root/usr/bin"
nob=$(id -u nobody)
nog=$(id -g nobody)
run_as_nobody() {
	PORT=$(free_port)
	timeout 20 setpriv --reuid="$nob" --regid="$nog" --clear-groups \
	    env -i HOME=/ "$root/usr/bin/deskd" --listen "127.0.0.1:$PORT" \
	    --cdp-listen off --display "$XDISP" --token-file "$tok" \
	    >"$T_TMP/nobody.log" 2>&1 &
	DESKD_PID=$!
	T_PIDS+=("$DESKD_PID")
}
chown root:root "$tok"
run_as_nobody
wait "$DESKD_PID"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q 'Permission denied' "$T_TMP/nobody.log"
ok $? "deskd refuses to start when its user cannot read the token (exit $rc)"
chown "$nob:$nog" "$tok"
run_as_nobody
wait_http "http://127.0.0.1:$PORT/health"
ok $? "deskd starts when the token belongs to its user"
is "$(http GET "http://127.0.0.1:$PORT/screenshot" -H "Authorization: Bearer $want")" 200 \
    "...and accepts the token"
stop_deskd

# --- what deskctl really sends: launch against moto, read the user data
# back from RunInstances, and hold it to the same expectations. ---
if ! python3 -c 'import moto.server, boto3' 2>/dev/null; then
	skip "deskctl's user data (python3 has no moto)"
	exit 0
fi
export AWS_SHARED_CREDENTIALS_FILE=$T_TMP/no-credentials
export AWS_CONFIG_FILE=$T_TMP/no-config AWS_EC2_METADATA_DISABLED=true
export AWS_DEFAULT_REGION=us-east-1 XDG_STATE_HOME=$T_TMP/state
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export DESKCTL_OWNER=packaging-test-$$
unset AWS_PROFILE AWS_REGION AWS_SESSION_TOKEN AWS_ENDPOINT_URL \
    AWS_ENDPOINT_URL_EC2 DESKCTL_ADDR_MAP DESKCTL_PROVIDER
MOTO_PORT=$(free_port)
MOTO_URL=http://127.0.0.1:$MOTO_PORT
python3 -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$T_TMP/moto.log" 2>&1 &
T_PIDS+=("$!")
T_LOGS+=("$T_TMP/moto.log")
wait_http "$MOTO_URL/moto-api/" || { fail "moto did not start"; exit 1; }
"$DESKCTL" launch --provider ec2 --endpoint-url "$MOTO_URL" \
    --ami ami-12c6146b --no-wait --json >"$T_TMP/launch" 2>"$T_TMP/launch.err"
ok $? "deskctl launch (moto, --no-wait)"
[ -s "$T_TMP/launch.err" ] && sed 's/^/# /' "$T_TMP/launch.err" | head -n 5
id=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' \
    "$T_TMP/launch" 2>/dev/null)
python3 - "$MOTO_URL" "$id" >"$T_TMP/deskctl-user-data" 2>"$T_TMP/ud.err" <<'PY'
import base64, sys, boto3
ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=sys.argv[1])
a = ec2.describe_instance_attribute(InstanceId=sys.argv[2], Attribute="userData")
sys.stdout.write(base64.b64decode(a["UserData"]["Value"]).decode())
PY
ok $? "read deskctl's user data back from moto ($id)"
res=$(python3 "$CHECK" --user "$duser" "$T_TMP/deskctl-user-data")
is "$res" ok "deskctl's user data meets the image's expectations"
[ "$res" = ok ] || sed 's/^/# /' "$T_TMP/deskctl-user-data"
like "$(cloud-init schema -c "$T_TMP/deskctl-user-data" 2>&1)" '^Valid cloud-config' \
    "cloud-init's schema accepts deskctl's user data"
"$DESKCTL" terminate "$id" >/dev/null 2>&1
