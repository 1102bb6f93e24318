/*
 * test-deskctl.c: the pure parts of deskctl: Query API form encoding
 * (checked against the output of botocore's EC2Serializer,
 * boto/botocore:botocore/serialize.py),
 * EC2 XML answers (moto's and AWS's shapes), AWS config file parsing,
 * durations, base64 and the address map test aid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "creds.h"
#include "deskctl.h"
#include "ec2.h"
#include "network.h"
#include "query.h"
#include "util.h"
#include "wait.h"
#include "xml.h"
#include "xmalloc.h"

static int	 failures;

static void
check(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	if (!cond)
		failures++;
}

static void
check_str(const char *got, const char *want, const char *what)
{
	int	 ok = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);

	check(ok, what);
	if (!ok)
		printf("#   got '%s'\n#   want '%s'\n", got ? got : "(null)",
		    want ? want : "(null)");
}

/* deskctl network's range arithmetic, group parsing, the new run fields. */
static void
test_fleet(void)
{
	static const char	 groups[] =
	    "<DescribeSecurityGroupsResponse><securityGroupInfo><item>"
	    "<groupId>sg-1</groupId><groupName>osw</groupName>"
	    "<vpcId>vpc-1</vpcId><ipPermissions>"
	    "<item><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort>"
	    "<toPort>22</toPort><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp>"
	    "</item></ipRanges></item>"
	    "<item><ipProtocol>-1</ipProtocol><groups><item>"
	    "<groupId>sg-2</groupId></item></groups><ipv6Ranges><item>"
	    "<cidrIpv6>::/0</cidrIpv6></item></ipv6Ranges></item>"
	    "</ipPermissions><ipPermissionsEgress><item><ipProtocol>-1"
	    "</ipProtocol><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item>"
	    "</ipRanges></item></ipPermissionsEgress></item>"
	    "</securityGroupInfo></DescribeSecurityGroupsResponse>";
	struct ec2_group	*g = NULL;
	struct ec2_launch	 l;
	struct xml_node		*root;
	struct query		*q;
	char			*cause = NULL, *s, *why = NULL;
	size_t			 n = 0;

	check(network_within("10.1.2.3/32", "10.0.0.0/8") == 1,
	    "network: a /32 within a /8");
	check(network_within("10.0.0.0/8", "10.0.0.0/16") == 0,
	    "network: a /8 is wider than a /16");
	check(network_within("0.0.0.0/0", "172.31.0.0/16") == 0,
	    "network: the world is wider than the VPC");
	check(network_within("172.31.0.0/16", "172.31.0.0/16") == 1,
	    "network: a range is within itself");
	check(network_within("172.32.0.0/16", "172.31.0.0/16") == 0,
	    "network: the next /16 is not within");
	check(network_within("2001:db8::/48", "2001:db8::/32") == 1 &&
	    network_within("::/0", "10.0.0.0/8") == 0,
	    "network: IPv6, and IPv6 never within an IPv4 range");
	check(network_within("10.0.0.0/33", "10.0.0.0/8") == -1 &&
	    network_within("nonsense", "10.0.0.0/8") == -1,
	    "network: bad CIDRs are -1");

	root = xml_parse(groups, strlen(groups), &cause);
	check(root != NULL && ec2_parse_groups(root, &g, &n) == 0 && n == 1 &&
	    g[0].nrules == 3, "DescribeSecurityGroups: 3 inbound sources, "
	    "egress not counted");
	if (n == 1 && g[0].nrules == 3) {
		check(strcmp(g[0].rules[0].proto, "tcp") == 0 &&
		    g[0].rules[0].from == 22 && g[0].rules[0].to == 22 &&
		    strcmp(g[0].rules[0].cidr, "0.0.0.0/0") == 0,
		    "... tcp 22 from 0.0.0.0/0");
		check(g[0].rules[2].group != NULL &&
		    strcmp(g[0].rules[2].group, "sg-2") == 0 &&
		    strcmp(g[0].rules[1].cidr, "::/0") == 0 &&
		    g[0].rules[1].from == -1, "... ::/0 for all protocols, "
		    "and a group source");
		check(network_open(&g[0], &why) == 1 && why != NULL &&
		    strstr(why, "opens 5000 to ::/0") != NULL,
		    "network_open: all traffic from ::/0 reaches 5000");
		free(why);
		g[0].nrules = 1;
		check(network_open(&g[0], &why) == 0,
		    "network_open: SSH open is not deskd open");
		g[0].nrules = 3;
	}
	ec2_groups_free(g, n);
	xml_free(root);
	free(cause);

	s = creds_services_endpoint("[profile x]\nservices = m\n"
	    "[services m]\ns3 =\n  endpoint_url = http://s3\nec2 =\n"
	    "  endpoint_url = http://ec2:9\n[services other]\nec2 =\n"
	    "  endpoint_url = http://no\n", "m", "ec2");
	check_str(s, "http://ec2:9", "[services NAME] ec2 endpoint_url");
	free(s);
	s = creds_services_endpoint("[services m]\nec2 =\n  endpoint_url = "
	    "http://ec2:9\nauto_scaling =\n  endpoint_url = http://asg:9\n",
	    "m", "auto_scaling");
	check_str(s, "http://asg:9",
	    "[services NAME] auto_scaling endpoint_url");
	free(s);

	memset(&l, 0, sizeof l);
	l.ami = "ami-1";
	l.type = "t3.large";
	l.count = 1;
	l.disk_gb = 30;
	l.root_device = "/dev/xvda";
	l.iops = 4000;
	l.throughput = 1000;
	l.iam_profile = "arn:aws:iam::1:instance-profile/p";
	l.monitoring = 1;
	l.public_ip = 0;
	q = ec2_run_query(&l);
	s = query_encode(q);
	check(strstr(s, "&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fxvda&") !=
	    NULL && strstr(s, "Ebs.Iops=4000&") != NULL &&
	    strstr(s, "Ebs.Throughput=1000&") != NULL,
	    "RunInstances: the image's root device, iops, throughput");
	check(strstr(s, "&IamInstanceProfile.Arn=arn%3Aaws%3Aiam%3A%3A1%3A"
	    "instance-profile%2Fp&") != NULL && strstr(s,
	    "&Monitoring.Enabled=true&") != NULL,
	    "RunInstances: profile by ARN, detailed monitoring");
	check(strstr(s, "NetworkInterface.1.AssociatePublicIpAddress=false") !=
	    NULL, "RunInstances: --private says no public address");
	free(s);
	query_free(q);
	q = query_new("CreateSecurityGroup", DESKCTL_EC2_VERSION);
	query_add(q, "GroupDescription", "a b");
	s = query_encode(q);
	check(strstr(s, "GroupDescription=a+b") != NULL,
	    "form bodies send a space as + (botocore's urlencode)");
	free(s);
	query_free(q);
}

static void
test_encoding(void)
{
	struct query	*q;
	char		*s;

	s = util_pct_encode("a b+c/d=e*~_.-Zz09\xc3\xa9");
	check_str(s, "a%20b%2Bc%2Fd%3De%2A~_.-Zz09%C3%A9",
	    "percent-encoding leaves only unreserved characters");
	free(s);

	q = query_new("DescribeInstances", DESKCTL_EC2_VERSION);
	query_addf(q, "tag:Name", "Filter.%d.Name", 1);
	query_addf(q, "ubuntu/images/*", "Filter.%d.Value.%d", 1, 1);
	s = query_encode(q);
	check_str(s, "Action=DescribeInstances&Version=2016-11-15&"
	    "Filter.1.Name=tag%3AName&Filter.1.Value.1=ubuntu%2Fimages%2F%2A",
	    "query form: flattened 1-based names, encoded values");
	free(s);
	query_free(q);
}

static void
test_run_query(void)
{
	struct ec2_launch	 l;
	struct ec2_tag		 tags[2] = {
		{ (char *)"Name", (char *)"guest 1" },
		{ (char *)"deskd:owner", (char *)"me@host" }
	};
	const char		*groups[2] = { "sg-0aaa", "sg-0bbb" };
	struct query		*q;
	char			*s;

	memset(&l, 0, sizeof l);
	l.ami = "ami-0123";
	l.type = "t3.large";
	l.count = 20;
	l.subnet = "subnet-0abc";
	l.groups = groups;
	l.ngroups = 2;
	l.disk_gb = 40;
	l.client_token = "deskctl-1";
	l.user_data = "#!/bin/sh\necho ?\?>>~ //\xfe\n";
	l.tags = tags;
	l.ntags = 2;
	l.public_ip = -1;
	q = ec2_run_query(&l);
	s = query_encode(q);
	check(strstr(s, "&MinCount=20&MaxCount=20&") != NULL,
	    "RunInstances MinCount/MaxCount");
	check(strstr(s, "&SubnetId=subnet-0abc&SecurityGroupId.1=sg-0aaa&"
	    "SecurityGroupId.2=sg-0bbb&") != NULL, "subnet and groups");
	check(strstr(s, "&UserData=IyEvYmluL3NoCmVjaG8gPz8%2BPn4gLy%2F%2BCg"
	    "%3D%3D&") != NULL,
	    "user data is base64 then percent-encoded (+ / =)");
	check(strstr(s, "&MetadataOptions.HttpTokens=required&") != NULL,
	    "IMDSv2 required");
	check(strstr(s, "&BlockDeviceMapping.1.Ebs.VolumeSize=40&") != NULL,
	    "disk size");
	check(strstr(s, "&TagSpecification.1.ResourceType=instance&") != NULL &&
	    strstr(s, "&TagSpecification.1.Tag.1.Value=guest+1&") != NULL &&
	    strstr(s, "&TagSpecification.1.Tag.2.Key=deskd%3Aowner&") != NULL,
	    "tags in TagSpecification");
	check(strstr(s, "&ClientToken=deskctl-1&") != NULL, "client token");
	check(strstr(s, "NetworkInterface") == NULL, "no interface by default");
	free(s);
	query_free(q);

	l.public_ip = 1;
	l.spot = 1;
	q = ec2_run_query(&l);
	s = query_encode(q);
	check(strstr(s, "&NetworkInterface.1.AssociatePublicIpAddress=true&")
	    != NULL && strstr(s, "&NetworkInterface.1.SubnetId=subnet-0abc&")
	    != NULL &&
	    strstr(s, "&NetworkInterface.1.SecurityGroupId.2=sg-0bbb") != NULL &&
	    strstr(s, "&SubnetId=") == NULL,
	    "--public moves subnet and groups into the interface");
	check(strstr(s, "&InstanceMarketOptions.MarketType=spot&") != NULL,
	    "spot market options");
	free(s);
	query_free(q);
}

static const char describe_xml[] =
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
"<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
"<requestId>r1</requestId><reservationSet>"
"<item><reservationId>r-1</reservationId><instancesSet>"
"<item><instanceId>i-aaa</instanceId><imageId>ami-1</imageId>"
"<instanceState><code>16</code><name>running</name></instanceState>"
"<privateIpAddress>10.0.0.5</privateIpAddress><ipAddress>54.1.2.3</ipAddress>"
"<tagSet><item><key>Name</key><value>guest &amp; 1</value></item>"
"<item><key>deskd:owner</key><value>me</value></item></tagSet>"
"<launchTime>2026-11-24T06:00:00.000Z</launchTime></item>"
"<item><tagSet/><instanceState><name>pending</name><code>0</code>"
"</instanceState><instanceId>i-bbb</instanceId></item>"
"</instancesSet></item>"
"<item><instancesSet><item><instanceId>i-ccc</instanceId>"
"<instanceState><code>80</code><name>stopped</name></instanceState>"
"</item></instancesSet></item>"
"</reservationSet><nextToken>tok2</nextToken></DescribeInstancesResponse>";

static struct xml_node *
parse(const char *s, char **cause)
{
	return (xml_parse(s, strlen(s), cause));
}

static void
test_xml(void)
{
	struct xml_node		*root;
	struct ec2_instance	*list = NULL;
	struct ec2_image	*imgs = NULL;
	const char		*code, *msg;
	char			*cause = NULL;
	size_t			 n = 0, ni = 0;

	root = xml_parse(describe_xml, strlen(describe_xml), &cause);
	check(root != NULL, "DescribeInstances answer parses");
	if (root == NULL)
		return;
	check_str(root->name, "DescribeInstancesResponse",
	    "namespace dropped from element names");
	ec2_parse_instances(root, &list, &n);
	check(n == 3, "three instances over two reservations");
	if (n == 3) {
		check_str(list[0].id, "i-aaa", "instance id");
		check_str(list[0].state, "running", "state name");
		check_str(list[0].private_ip, "10.0.0.5", "private address");
		check_str(list[0].public_ip, "54.1.2.3", "public address");
		check_str(ec2_tag(&list[0], "Name"), "guest & 1",
		    "tag value with an entity");
		check(list[0].ntags == 2, "tag count");
		check_str(list[1].state, "pending",
		    "element order does not matter");
		check(list[1].public_ip == NULL && list[1].ntags == 0,
		    "missing address and empty tagSet");
		check_str(list[2].state, "stopped", "second reservation");
	}
	check_str(xml_text(root, "nextToken"), "tok2", "nextToken");
	ec2_instances_free(list, n);
	xml_free(root);

	/* moto's auth failure root differs from EC2's <Response>. */
	root = parse("<ErrorResponse><Errors><Error><Code>AuthFailure"
	    "</Code><Message>AWS was not able to validate</Message></Error>"
	    "</Errors><RequestID>x</RequestID></ErrorResponse>", &cause);
	check(root != NULL && aws_parse_error(root, &code, &msg) == 0 &&
	    strcmp(code, "AuthFailure") == 0, "moto ErrorResponse code");
	check(aws_exit_code("AuthFailure") == DESKCTL_EXIT_AUTH,
	    "AuthFailure maps to the credentials exit code");
	xml_free(root);
	root = parse("<Response><Errors><Error><Code>RequestLimitExceeded"
	    "</Code><Message>slow down</Message></Error></Errors></Response>",
	    &cause);
	check(root != NULL && aws_parse_error(root, &code, &msg) == 0 &&
	    strcmp(code, "RequestLimitExceeded") == 0 &&
	    strcmp(msg, "slow down") == 0, "EC2 Response error");
	check(aws_retryable("RequestLimitExceeded", 503) &&
	    aws_retryable(NULL, 502) && !aws_retryable("InvalidAMIID.NotFound",
	    400) && aws_exit_code("InsufficientInstanceCapacity") ==
	    DESKCTL_EXIT_CAPACITY, "retry and exit classification");
	xml_free(root);

	root = parse("<DescribeImagesResponse><imagesSet><item>"
	    "<imageId>ami-old</imageId><name>deskd-1</name><creationDate>"
	    "2025-01-01T00:00:00.000Z</creationDate></item><item><imageId>"
	    "ami-new</imageId><name>deskd-2</name><creationDate>"
	    "2026-01-01T00:00:00.000Z</creationDate></item></imagesSet>"
	    "</DescribeImagesResponse>", &cause);
	check(root != NULL, "DescribeImages parses");
	ec2_parse_images(root, &imgs, &ni);
	check(ni == 2 && strcmp(imgs[1].id, "ami-new") == 0 &&
	    strcmp(imgs[1].created, "2026-01-01T00:00:00.000Z") == 0,
	    "images with creation dates");
	ec2_images_free(imgs, ni);
	xml_free(root);

	free(cause);
	cause = NULL;
	check(parse("<a><b></a>", &cause) == NULL && cause != NULL,
	    "malformed XML is refused with a cause");
	free(cause);
	cause = NULL;
	{
		char	*deep = xmalloc(200 * 7 + 1);
		size_t	 i, len = 0;

		for (i = 0; i < 100; i++)
			len += sprintf(deep + len, "<a>");
		for (i = 0; i < 100; i++)
			len += sprintf(deep + len, "</a>");
		check(xml_parse(deep, len, &cause) == NULL,
		    "nesting deeper than the limit is refused");
		free(deep);
		free(cause);
		cause = NULL;
	}
	root = parse("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<a>&x;</a>", &cause);
	check(root == NULL || strstr(root->text, "root:") == NULL,
	    "external entities are not expanded");
	xml_free(root);
	free(cause);
}

static const char ini[] =
"[default]\n"
"aws_access_key_id = AKIADEFAULT\n"
"aws_secret_access_key=secretdefault\n"
"# comment\n"
"[profile dev]\n"
"region = eu-west-1\n"
"s3 =\n"
"  max_concurrent_requests = 20\n"
"aws_access_key_id = AKIADEV\n"
"; other comment\n"
"[dev]\n"
"aws_access_key_id= AKIACREDS \r\n"
"aws_session_token =tok/en+=\n"
"empty =\n";

static void
test_ini(void)
{
	char	*v;

	v = creds_ini_get(ini, "default", "aws_access_key_id");
	check_str(v, "AKIADEFAULT", "ini: default section");
	free(v);
	v = creds_ini_get(ini, "default", "aws_secret_access_key");
	check_str(v, "secretdefault", "ini: no spaces around =");
	free(v);
	v = creds_ini_get(ini, "profile dev", "region");
	check_str(v, "eu-west-1", "ini: [profile NAME] of the config file");
	free(v);
	v = creds_ini_get(ini, "profile dev", "max_concurrent_requests");
	check_str(v, NULL, "ini: nested settings are skipped");
	free(v);
	v = creds_ini_get(ini, "dev", "aws_access_key_id");
	check_str(v, "AKIACREDS", "ini: trimmed, CRLF");
	free(v);
	v = creds_ini_get(ini, "dev", "aws_session_token");
	check_str(v, "tok/en+=", "ini: value with = and /");
	free(v);
	v = creds_ini_get(ini, "dev", "empty");
	check_str(v, NULL, "ini: empty value is absent");
	free(v);
	v = creds_ini_get(ini, "nope", "aws_access_key_id");
	check_str(v, NULL, "ini: missing section");
	free(v);
}

static void
test_duration(void)
{
	long long	 s;
	char		*cause = NULL;

	check(util_parse_duration("90", &s, &cause) == 0 && s == 90,
	    "duration: bare seconds");
	check(util_parse_duration("15m", &s, &cause) == 0 && s == 900,
	    "duration: minutes");
	check(util_parse_duration("1h30m", &s, &cause) == 0 && s == 5400,
	    "duration: compound");
	check(util_parse_duration("2d", &s, &cause) == 0 && s == 172800,
	    "duration: days");
	check(util_parse_duration("1w", &s, &cause) == 0 && s == 604800,
	    "duration: weeks");
	check(util_parse_duration("1h30", &s, &cause) == -1,
	    "duration: trailing bare number refused");
	free(cause);
	cause = NULL;
	check(util_parse_duration("abc", &s, &cause) == -1 && cause != NULL,
	    "duration: garbage refused with a cause");
	free(cause);
	cause = NULL;
	check(util_parse_duration("", &s, &cause) == -1, "duration: empty");
	free(cause);
	cause = NULL;
	check(util_parse_duration("99999999999999999999d", &s, &cause) == -1,
	    "duration: overflow refused");
	free(cause);
	cause = NULL;
	check(util_parse_duration("-5m", &s, &cause) == -1,
	    "duration: negative refused");
	free(cause);
}

static void
test_misc(void)
{
	time_t	 t;
	char	*s, *cause = NULL;

	check(util_parse_iso("1970-01-02T00:00:01Z", &t) == 0 && t == 86401,
	    "iso time parses");
	s = util_time_iso(0);
	check_str(s, "1970-01-01T00:00:00Z", "iso time formats");
	free(s);
	check(util_parse_iso("2026-11-24T06:00:00.123Z", &t) == 0,
	    "iso time with fraction (EC2 launchTime)");
	check(util_parse_iso("yesterday", &t) == -1, "iso time garbage");

	s = util_random_hex(32, &cause);
	check(s != NULL && strlen(s) == 64, "token is 32 random bytes in hex");
	free(s);

	s = wait_map_addr("10.0.0.5=127.0.0.1:7000,*=127.0.0.1:7001",
	    "10.0.0.5");
	check_str(s, "127.0.0.1:7000", "address map: exact entry");
	free(s);
	s = wait_map_addr("10.0.0.5=127.0.0.1:7000,*=127.0.0.1:7001",
	    "54.1.2.3");
	check_str(s, "127.0.0.1:7001", "address map: wildcard");
	free(s);
	s = wait_map_addr("10.0.0.5=127.0.0.1:7000", "54.1.2.3");
	check_str(s, NULL, "address map: no match");
	free(s);
	check(util_backoff_ms(0, 1000, 20000) <= 1000 &&
	    util_backoff_ms(10, 1000, 20000) <= 20000,
	    "full-jitter backoff stays under its ceiling");
}

int
main(void)
{
	test_fleet();
	test_encoding();
	test_run_query();
	test_xml();
	test_ini();
	test_duration();
	test_misc();
	return (failures != 0);
}
