# deskd.pkr.hcl: an Ubuntu 22.04 AMI with deskd, its headless desktop
# session (Xvfb, openbox, Chrome) and the OSWorld client-side packages,
# ready for "deskctl launch".  Written for Debian's packer 1.6.6 (HCL2, the
# amazon builders compiled in; no packer init, no required_plugins, no
# metadata_options: deskctl asks IMDSv2 of the guests it launches).
#
#   packaging/build-deb.sh _build-deb
#   packer build -var deskd_version=0.1.0 -var deb_dir=_build-deb \
#       packaging/packer/deskd.pkr.hcl
#
# No token is baked in: each guest gets its own from cloud-init user data
# (packaging/cloud-init/README.md).

variable "region" {
  type        = string
  default     = "us-east-1"
  description = "Region to build in; the AMI stays there."
}

variable "instance_type" {
  type    = string
  default = "t3.large"
}

variable "subnet_id" {
  type        = string
  default     = ""
  description = "Subnet of the build instance (empty: the default VPC). It needs a route to the internet for apt and Chrome."
}

variable "ssh_cidrs" {
  type        = list(string)
  default     = ["0.0.0.0/0"]
  description = "Who may reach the build instance's SSH port (packer's temporary security group); your address/32 is better."
}

variable "ami_name" {
  type        = string
  default     = ""
  description = "Name of the new AMI (empty: deskd-VERSION-TIMESTAMP)."
}

variable "deskd_version" {
  type        = string
  description = "Version of the .debs to install; also the AMI's deskd:version tag."
}

variable "deb_dir" {
  type        = string
  default     = "_build-deb"
  description = "Folder holding deskd_VERSION_amd64.deb, deskd-session_VERSION_all.deb and deskctl_VERSION_amd64.deb (packaging/build-deb.sh)."
}

variable "desktop_user" {
  type        = string
  default     = "user"
  description = "The desktop user deskd runs as (OSWorld images: user, uid 1000)."
}

variable "chrome_deb_url" {
  type        = string
  default     = "https://dl.google.com/linux/direct/google-chrome-stable_current_amd64.deb"
  description = "Google Chrome .deb to install (empty: no Chrome)."
}

variable "osworld_packages" {
  type        = bool
  default     = true
  description = "Install what OSWorld's client runs through /execute (python, pyautogui, xdotool...)."
}

variable "volume_size" {
  type    = number
  default = 30
}

variable "ec2_endpoint" {
  type        = string
  default     = ""
  description = "EC2 endpoint override (tests against moto)."
}

variable "communicator" {
  type        = string
  default     = "ssh"
  description = "ssh; none only for dry runs without provisioners."
}

locals {
  stamp    = formatdate("YYYYMMDD-hhmmss", timestamp())
  ami_name = var.ami_name != "" ? var.ami_name : "deskd-${var.deskd_version}-${local.stamp}"
  debs = [
    "${var.deb_dir}/deskd_${var.deskd_version}_amd64.deb",
    "${var.deb_dir}/deskd-session_${var.deskd_version}_all.deb",
    "${var.deb_dir}/deskctl_${var.deskd_version}_amd64.deb",
  ]
  # The default user of the build instance and of every guest is the
  # desktop user: cloud-init creates it (uid 1000 on a fresh Ubuntu image,
  # as on OSWorld images) and installs the launch key pair there.  The
  # image keeps this as /etc/cloud/cloud.cfg.d/90-deskd.cfg.
  cloud_config = <<-EOT
    #cloud-config
    system_info:
      default_user:
        name: ${var.desktop_user}
        gecos: deskd desktop user
        lock_passwd: true
        shell: /bin/bash
        groups: [adm, audio, cdrom, dip, plugdev, sudo, video]
        sudo: ["ALL=(ALL) NOPASSWD:ALL"]
    EOT
  tags = {
    Name            = local.ami_name
    "deskd:version" = var.deskd_version
    "deskd:base"    = "ubuntu-22.04"
    "deskd:user"    = var.desktop_user
  }
}

source "amazon-ebs" "deskd" {
  region        = var.region
  instance_type = var.instance_type
  subnet_id     = var.subnet_id
  ami_name      = local.ami_name

  ami_description = "deskd ${var.deskd_version} computer-use agent on Ubuntu 22.04 (Xvfb, openbox, Chrome)"

  source_ami_filter {
    filters = {
      name                = "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
      architecture        = "x86_64"
    }
    owners      = ["099720109477"]
    most_recent = true
  }

  # gp3 needs iops and throughput spelled out in packer 1.6.6.
  launch_block_device_mappings {
    device_name           = "/dev/sda1"
    volume_size           = var.volume_size
    volume_type           = "gp3"
    iops                  = 3000
    throughput            = 125
    delete_on_termination = true
  }

  # The build instance's default user is the desktop user (uid 1000, as on
  # OSWorld images): cloud-init creates it and installs packer's key.
  user_data     = local.cloud_config
  communicator  = var.communicator
  ssh_username  = var.desktop_user
  ssh_interface = "public_ip"

  temporary_security_group_source_cidrs = var.ssh_cidrs
  associate_public_ip_address           = true
  ena_support                           = true
  sriov_support                         = true

  custom_endpoint_ec2 = var.ec2_endpoint

  run_tags = {
    Name = "packer-deskd-${var.deskd_version}"
  }
  tags          = local.tags
  snapshot_tags = local.tags
}

build {
  sources = ["source.amazon-ebs.deskd"]

  provisioner "shell" {
    inline = ["mkdir -p /tmp/deskd-debs"]
  }

  provisioner "file" {
    sources     = local.debs
    destination = "/tmp/deskd-debs/"
  }

  provisioner "shell" {
    script = "${path.root}/provision.sh"
    environment_vars = [
      "DESKD_VERSION=${var.deskd_version}",
      "DESKTOP_USER=${var.desktop_user}",
      "CHROME_DEB_URL=${var.chrome_deb_url}",
      "OSWORLD_PACKAGES=${var.osworld_packages}",
      "CLOUD_CONFIG=${base64encode(local.cloud_config)}",
    ]
    execute_command = "chmod +x {{ .Path }}; sudo env {{ .Vars }} {{ .Path }}"
  }
}
