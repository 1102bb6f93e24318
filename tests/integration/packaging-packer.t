#!/usr/bin/env bash
# packaging-packer: Debian's packer (1.6.6) validates the AMI template with
# the .debs the suite built, rejects it without them or without a version,
# and finds it formatted; the provisioning script is clean shell.  Then a
# dry run of the amazon-ebs flow against moto inside a network namespace
# that has only loopback: the Canonical 22.04 image is found through
# source_ami_filter, the build instance gets the desktop-user cloud-config,
# and the AMI comes out tagged with the deskd version.  (Provisioning over
# SSH cannot be exercised against moto: its instances are fake.)
source "$(dirname "$0")/../lib.sh"
source "$TOP/packaging/test-lib.sh"

command -v packer >/dev/null ||
    { fail "packer missing (packaging/deps.sh --test installs it)"; exit 1; }
pkg_debs || { fail "the .debs do not build"; exit 1; }
export CHECKPOINT_DISABLE=1 AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_EC2
HCL=packaging/packer/deskd.pkr.hcl
cd "$TOP" || exit 1
diag "$(packer version | head -n1)"

# Nothing in here may reach the network: validate runs without one.
offline() { unshare -n "$@"; }
offline true 2>/dev/null || offline() { "$@"; }

offline packer validate -var "deskd_version=$DEB_VERSION" \
    -var "deb_dir=$DEB_DIR" "$HCL" >"$T_TMP/validate" 2>&1
rc=$?
is "$rc" 0 "packer validate passes with the built .debs"
[ "$rc" = 0 ] || sed 's/^/# /' "$T_TMP/validate"

offline packer validate -var "deb_dir=$DEB_DIR" "$HCL" >"$T_TMP/v2" 2>&1
[ $? -ne 0 ] && grep -q 'deskd_version' "$T_TMP/v2"
ok $? "packer validate fails without deskd_version"

mkdir -p "$T_TMP/empty"
offline packer validate -var "deskd_version=$DEB_VERSION" \
    -var "deb_dir=$T_TMP/empty" "$HCL" >"$T_TMP/v3" 2>&1
[ $? -ne 0 ] && grep -q "deskd_${DEB_VERSION}_amd64.deb" "$T_TMP/v3"
ok $? "packer validate fails when the .debs are missing"

packer fmt -check "$HCL" >/dev/null 2>&1
ok $? "packer fmt finds the template formatted"

bash -n packaging/packer/provision.sh
ok $? "provision.sh is valid bash"
if command -v shellcheck >/dev/null; then
	shellcheck -S warning packaging/packer/provision.sh \
	    packaging/session/deskd-session >"$T_TMP/sc" 2>&1
	ok $? "shellcheck: provision.sh and deskd-session have no warnings"
	[ -s "$T_TMP/sc" ] && sed 's/^/# /' "$T_TMP/sc" | head -n 20
fi

# What the template promises (the dry run below checks it for real).
hcl=$(cat "$HCL")
like "$hcl" 'owners *= \["099720109477"\]' "source AMI owner is Canonical"
like "$hcl" 'ubuntu-jammy-22\.04-amd64-server-\*' "source AMI is Ubuntu 22.04"
for v in region instance_type subnet_id ami_name deskd_version; do
	like "$hcl" "variable \"$v\"" "variable $v"
done
like "$hcl" '"deskd:version" *= var\.deskd_version' "the AMI is tagged with the deskd version"
grep -Eq '^ +at-spi2-core ' packaging/packer/provision.sh
ok $? "provisioning installs at-spi2-core (the accessibility bus)"
grep -q 'rm -f /etc/deskd/token' packaging/packer/provision.sh
ok $? "provisioning removes any token (cloud-init writes it per guest)"

# --- dry run against moto, loopback only ---
if ! unshare -n true 2>/dev/null; then
	skip "moto dry run (no network namespaces here: unshare -n fails)"
	exit 0
fi
if ! python3 -c 'import moto.server, boto3' 2>/dev/null; then
	skip "moto dry run (python3 has no moto)"
	exit 0
fi
dry=$T_TMP/dry
mkdir -p "$dry"
# The same template without provisioners (communicator "none" cannot run
# them); everything else, source and tags included, is what ships.
python3 - "$HCL" "$dry/deskd.pkr.hcl" <<'EOF'
import re, sys
s = open(sys.argv[1]).read()
out, i = [], 0
for m in re.finditer(r'\n  provisioner "[a-z-]+" \{', s):
    if m.start() < i:
        continue
    out.append(s[i:m.start()])
    depth, j = 0, m.end() - 1
    while True:
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                break
        j += 1
    i = j + 1
out.append(s[i:])
open(sys.argv[2], "w").write("".join(out))
EOF
grep -q "^ *provisioner \"" "$dry/deskd.pkr.hcl" && fail "provisioners left in the dry-run template"
cat >"$dry/amis.json" <<'EOF'
[{"ami_id": "ami-0jammy00000000001", "state": "available", "public": true,
  "owner_id": "099720109477", "image_location": "amazon/ubuntu-jammy",
  "sriov": "simple", "root_device_type": "ebs", "root_device_name": "/dev/sda1",
  "description": "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image",
  "image_type": "machine", "platform": null, "architecture": "x86_64",
  "name": "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240101",
  "virtualization_type": "hvm", "hypervisor": "xen"},
 {"ami_id": "ami-0focal00000000001", "state": "available", "public": true,
  "owner_id": "099720109477", "image_location": "amazon/ubuntu-focal",
  "sriov": "simple", "root_device_type": "ebs", "root_device_name": "/dev/sda1",
  "description": "Canonical, Ubuntu, 20.04 LTS, amd64 focal image",
  "image_type": "machine", "platform": null, "architecture": "x86_64",
  "name": "ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-20240101",
  "virtualization_type": "hvm", "hypervisor": "xen"}]
EOF
cat >"$dry/check.py" <<'EOF'
import base64, json, sys
import boto3
ec2 = boto3.client("ec2", region_name="us-east-1",
                   endpoint_url="http://127.0.0.1:5057")
imgs = ec2.describe_images(Owners=["self"])["Images"]
res = {"images": len(imgs)}
if imgs:
    img = imgs[0]
    res["tags"] = {t["Key"]: t["Value"] for t in img.get("Tags", [])}
    res["name"] = img["Name"]
insts = [i for r in ec2.describe_instances()["Reservations"]
         for i in r["Instances"]]
if insts:
    i = insts[0]
    res["image_id"] = i["ImageId"]
    res["instance_type"] = i["InstanceType"]
    res["state"] = i["State"]["Name"]
    ud = ec2.describe_instance_attribute(InstanceId=i["InstanceId"],
                                         Attribute="userData")
    v = ud.get("UserData", {}).get("Value", "")
    res["user_data"] = base64.b64decode(v).decode() if v else ""
print(json.dumps(res))
EOF
cat >"$dry/run.sh" <<'EOF'
set -u
cd "$1"
ip link set lo up
MOTO_AMIS_PATH=amis.json python3 -m moto.server -H 127.0.0.1 -p 5057 \
    >moto.log 2>&1 &
mp=$!
for _ in $(seq 100); do
	curl -s -o /dev/null http://127.0.0.1:5057/moto-api/ && break
	sleep 0.2
done
packer build -color=false -var ec2_endpoint=http://127.0.0.1:5057 \
    -var communicator=none -var deskd_version="$2" \
    -var instance_type=t3.xlarge deskd.pkr.hcl >build.log 2>&1
echo "packer exit $?" >>build.log
python3 check.py >check.json 2>check.err
kill "$mp"
wait "$mp" 2>/dev/null
EOF
timeout 170 unshare -n bash "$dry/run.sh" "$dry" "$DEB_VERSION"
T_LOGS+=("$dry/build.log" "$dry/moto.log")
grep -q 'packer exit 0' "$dry/build.log"
ok $? "packer build (amazon-ebs, no provisioners) completes against moto"
grep -q "ami-0jammy00000000001" "$dry/build.log"
ok $? "source_ami_filter picks the Canonical 22.04 image"
like "$(grep -E 'AMIs were created|us-east-1: ami-' "$dry/build.log" | tail -n1)" \
    'us-east-1: ami-' "packer reports the new AMI"
res=$(cat "$dry/check.json" 2>/dev/null)
[ -n "$res" ] || { fail "moto query"; sed 's/^/# /' "$dry/check.err"; exit 1; }
is "$(json_get "$dry/check.json" 'j["images"]')" 1 "one AMI registered"
is "$(json_get "$dry/check.json" 'j["tags"]["deskd:version"]')" "$DEB_VERSION" \
    "the AMI is tagged deskd:version=$DEB_VERSION"
like "$(json_get "$dry/check.json" 'j["name"]')" "^deskd-$DEB_VERSION-[0-9]{8}-[0-9]{6}\$" \
    "the AMI is named deskd-VERSION-TIMESTAMP"
is "$(json_get "$dry/check.json" 'j["image_id"]')" ami-0jammy00000000001 \
    "the build instance ran the 22.04 image"
is "$(json_get "$dry/check.json" 'j["instance_type"]')" t3.xlarge \
    "the instance_type variable reaches RunInstances"
is "$(json_get "$dry/check.json" 'j["state"]')" terminated "the build instance was terminated"
ud=$(json_get "$dry/check.json" 'j["user_data"]')
like "$ud" $'^#cloud-config\n' "the build instance got a cloud-config"
like "$ud" 'default_user:[[:space:]]+name: user' \
    "cloud-init's default user is the desktop user"
