#!/bin/bash
# provision.sh: run as root on the Packer build instance (Ubuntu 22.04) by
# deskd.pkr.hcl.  Installs the deskd .debs from /tmp/deskd-debs, the
# session's packages and Chrome, enables deskd and its session for the
# desktop user, and leaves no token or instance identity in the image.
#
# Environment: DESKD_VERSION, DESKTOP_USER, CHROME_DEB_URL (may be empty),
# OSWORLD_PACKAGES (true/false), CLOUD_CONFIG (base64 of the cloud-config
# that names the desktop user as cloud-init's default user).
set -euxo pipefail
export DEBIAN_FRONTEND=noninteractive
: "${DESKD_VERSION:?}" "${DESKTOP_USER:?}"

# cloud-init must be done (it creates the desktop user, runs apt setup).
cloud-init status --wait || true

# No background apt on the build instance or on the guests: updates would
# hold the dpkg lock and change the desktop under a running task.
systemctl disable --now apt-daily.timer apt-daily-upgrade.timer \
    unattended-upgrades.service 2>/dev/null || true
while fuser /var/lib/dpkg/lock-frontend >/dev/null 2>&1; do sleep 2; done
apt-get -y purge unattended-upgrades || true

apt-get update
apt-get -y install --no-install-recommends \
    xvfb xauth x11-utils x11-xkb-utils x11-xserver-utils openbox \
    dbus-user-session dbus-x11 fonts-dejavu-core fonts-liberation \
    xdg-utils ca-certificates curl wmctrl ffmpeg \
    at-spi2-core libatk-adaptor gsettings-desktop-schemas
apt-get -y install /tmp/deskd-debs/*.deb
if [ "${OSWORLD_PACKAGES:-true}" = true ]; then
	# What OSWorld's client expects in the guest (it runs
	# "python -c 'import pyautogui; ...'" through /execute).
	apt-get -y install --no-install-recommends python3 python3-pip \
	    python3-tk python3-dev python-is-python3 python3-xlib \
	    gnome-screenshot socat xclip xdotool
	pip3 install --no-cache-dir PyAutoGUI==0.9.54 Pillow==10.1.0
fi
if [ -n "${CHROME_DEB_URL:-}" ]; then
	curl -fsSL --retry 3 -o /tmp/chrome.deb "$CHROME_DEB_URL"
	apt-get -y install /tmp/chrome.deb
	rm -f /tmp/chrome.deb
fi

# The desktop user: cloud-init's default user on the build instance, so it
# exists already; make sure anyway.
if ! id "$DESKTOP_USER" >/dev/null 2>&1; then
	useradd -m -s /bin/bash -G audio,video "$DESKTOP_USER"
fi
uid=$(id -u "$DESKTOP_USER")
home=$(getent passwd "$DESKTOP_USER" | cut -d: -f6)
# Guests keep it as cloud-init's default user (the key pair goes there).
echo "$CLOUD_CONFIG" | base64 -d >/etc/cloud/cloud.cfg.d/90-deskd.cfg
# Its user manager (and so its session bus and /run/user/UID) runs from
# boot, without a login.
loginctl enable-linger "$DESKTOP_USER"

# The units name "user" and uid 1000 (OSWorld's); anything else gets
# drop-ins and a matching /etc/default/deskd.
if [ "$DESKTOP_USER" != user ] || [ "$uid" != 1000 ]; then
	gid=$(id -g "$DESKTOP_USER")
	for u in deskd deskd-session; do
		mkdir -p "/etc/systemd/system/$u.service.d"
		cat >"/etc/systemd/system/$u.service.d/10-user.conf" <<EOF
[Unit]
After=user@$uid.service
Wants=user@$uid.service

[Service]
User=$DESKTOP_USER
Group=$gid
Environment=XDG_RUNTIME_DIR=/run/user/$uid
Environment=DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$uid/bus
EOF
	done
	sed -i "s|/run/user/1000|/run/user/$uid|g" /etc/default/deskd
fi
install -d -o "$DESKTOP_USER" -g "$(id -g "$DESKTOP_USER")" "$home/.config"

# /etc/deskd: root's, readable; the token in it is cloud-init's job.
install -d -m 0755 -o root -g root /etc/deskd
rm -f /etc/deskd/token /etc/deskd/instance.env /etc/deskd/pool.pub
rm -f /var/lib/deskd/token
echo "$DESKD_VERSION" >/etc/deskd/image-version

# deskd --idle-shutdown/--expires-at run "systemctl poweroff" as the
# desktop user, from a service (no active session): polkit must say yes.
# Ubuntu 22.04's polkit 0.105 reads .pkla files, later ones .rules.
install -d -m 0755 /etc/polkit-1/localauthority/50-local.d
install -d -m 0700 /etc/polkit-1/rules.d
cat >/etc/polkit-1/localauthority/50-local.d/50-deskd-poweroff.pkla <<PKLA
[deskd: the desktop user powers an idle or expired guest off]
Identity=unix-user:$DESKTOP_USER
Action=org.freedesktop.login1.power-off;org.freedesktop.login1.power-off-multiple-sessions
ResultAny=yes
ResultInactive=yes
ResultActive=yes
PKLA
cat >/etc/polkit-1/rules.d/50-deskd-poweroff.rules <<RULES
// deskd: the desktop user powers an idle or expired guest off.
polkit.addRule(function(action, subject) {
	if ((action.id == "org.freedesktop.login1.power-off" ||
	    action.id == "org.freedesktop.login1.power-off-multiple-sessions") &&
	    subject.user == "$DESKTOP_USER")
		return polkit.Result.YES;
});
RULES

# No display manager: the session unit owns display :0.
systemctl set-default multi-user.target
systemctl daemon-reload
systemctl enable deskd-session.service deskd.service

# Smoke test on the build instance: the agent answers and sees X.
systemctl restart deskd-session.service deskd.service
for _ in $(seq 60); do
	curl -fsS http://127.0.0.1:5000/health && break
	sleep 1
done
curl -fsS http://127.0.0.1:5000/health
systemctl stop deskd.service deskd-session.service

# Leave nothing instance-specific: cloud-init runs afresh on each guest.
rm -rf /tmp/deskd-debs "$home/.config/deskd-chrome" "$home/.Xauthority" \
    "$home/.ssh/authorized_keys"
apt-get clean
cloud-init clean --logs
truncate -s 0 /etc/machine-id
rm -f /var/lib/dbus/machine-id
