# tests/tools/deskctl-moto.sh: moto helpers for tests/integration/deskctl-*.t
# (sourced after tests/lib.sh).  moto's EC2 addresses are fake and are never
# contacted: the tests map them to a local deskd with DESKCTL_ADDR_MAP.

# Keep the machine's own AWS setup out of the tests.
deskctl_env() {
	export AWS_SHARED_CREDENTIALS_FILE=$T_TMP/no-credentials
	export AWS_CONFIG_FILE=$T_TMP/no-config
	export AWS_EC2_METADATA_DISABLED=true
	export AWS_DEFAULT_REGION=us-east-1
	export XDG_STATE_HOME=$T_TMP/state
	export DESKCTL_OWNER=deskctl-test-$$
	export AWS_PAGER=
	# Safety net: a guest address is never contacted unless a test maps
	# it to its local deskd with --addr-map (port 1 refuses at once).
	export DESKCTL_ADDR_MAP='*=127.0.0.1:1'
	unset AWS_PROFILE AWS_REGION AWS_SESSION_TOKEN AWS_ENDPOINT_URL \
	    AWS_ENDPOINT_URL_EC2 AWS_MAX_ATTEMPTS DESKCTL_PROVIDER 2>/dev/null
}

have_moto() {
	python3 -c 'import moto' 2>/dev/null
}

# start_moto [NOAUTH_COUNT]: moto on a free port; with a count, signatures
# are checked after that many requests.  Sets MOTO_PORT, MOTO_URL, MOTO_PID.
start_moto() {
	MOTO_PORT=$(free_port)
	MOTO_URL=http://127.0.0.1:$MOTO_PORT
	if [ -n "${1:-}" ]; then
		INITIAL_NO_AUTH_ACTION_COUNT=$1 python3 -m moto.server \
		    -H 127.0.0.1 -p "$MOTO_PORT" >"$T_TMP/moto.log" 2>&1 &
	else
		python3 -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" \
		    >"$T_TMP/moto.log" 2>&1 &
	fi
	MOTO_PID=$!
	T_PIDS+=("$MOTO_PID")
	T_LOGS+=("$T_TMP/moto.log")
	local i
	for i in $(seq 100); do
		curl -s -o /dev/null "$MOTO_URL/moto-api/" && return 0
		sleep 0.1
	done
	fail "moto did not start"
	return 1
}

# Unauthenticated IAM setup (5 requests): user hostx with an access key and
# ec2:* + autoscaling:* + sts:AssumeRole, and role guestrole (ec2:*).  Sets LT_AKID,
# LT_SECRET.
moto_iam_setup() {
	local e="--endpoint-url $MOTO_URL"
	AWS_ACCESS_KEY_ID=setup AWS_SECRET_ACCESS_KEY=setup aws $e iam \
	    create-user --user-name hostx >/dev/null &&
	AWS_ACCESS_KEY_ID=setup AWS_SECRET_ACCESS_KEY=setup aws $e iam \
	    put-user-policy --user-name hostx --policy-name all \
	    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:*","autoscaling:*","sts:AssumeRole"],"Resource":"*"}]}' &&
	AWS_ACCESS_KEY_ID=setup AWS_SECRET_ACCESS_KEY=setup aws $e iam \
	    create-access-key --user-name hostx >"$T_TMP/key.json" &&
	AWS_ACCESS_KEY_ID=setup AWS_SECRET_ACCESS_KEY=setup aws $e iam \
	    create-role --role-name guestrole --assume-role-policy-document \
	    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/hostx"},"Action":"sts:AssumeRole"}]}' \
	    >/dev/null &&
	AWS_ACCESS_KEY_ID=setup AWS_SECRET_ACCESS_KEY=setup aws $e iam \
	    put-role-policy --role-name guestrole --policy-name all \
	    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}' ||
	    return 1
	LT_AKID=$(json_get "$T_TMP/key.json" 'j["AccessKey"]["AccessKeyId"]')
	LT_SECRET=$(json_get "$T_TMP/key.json" 'j["AccessKey"]["SecretAccessKey"]')
}

# Temporary credentials (ASIA... + session token) by AssumeRole, signed
# with the long-term key.  Sets SESS_AKID, SESS_SECRET, SESS_TOKEN.
moto_session() {
	AWS_ACCESS_KEY_ID=$LT_AKID AWS_SECRET_ACCESS_KEY=$LT_SECRET aws \
	    --endpoint-url "$MOTO_URL" sts assume-role \
	    --role-arn arn:aws:iam::123456789012:role/guestrole \
	    --role-session-name deskctl-test >"$T_TMP/sess.json" || return 1
	SESS_AKID=$(json_get "$T_TMP/sess.json" 'j["Credentials"]["AccessKeyId"]')
	SESS_SECRET=$(json_get "$T_TMP/sess.json" 'j["Credentials"]["SecretAccessKey"]')
	SESS_TOKEN=$(json_get "$T_TMP/sess.json" 'j["Credentials"]["SessionToken"]')
}

# aws_lt ARGS...: the aws CLI with the long-term key against moto.
aws_lt() {
	env -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID="$LT_AKID" \
	    AWS_SECRET_ACCESS_KEY="$LT_SECRET" aws --endpoint-url "$MOTO_URL" "$@"
}

# count_state STATE FILE: how many "ID STATE" lines of FILE have STATE.
count_state() {
	awk -v s="$1" '$2 == s' "$2" | wc -l | tr -d ' '
}

# Under tests/run's sanitizer build, drive the ASan/UBSan deskctl too: a
# leak or UB report turns into exit code 23 and fails the check.
if [ -n "${BUILD_SAN:-}" ] && [ "${DESKD:-}" = "$BUILD_SAN/agent/deskd" ] &&
    [ -x "$BUILD_SAN/host/deskctl" ]; then
	DESKCTL=$BUILD_SAN/host/deskctl
fi
