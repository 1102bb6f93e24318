/*
 * test-pool.c: the pure parts of deskctl pool: the Auto Scaling and
 * launch template forms (checked against botocore's query and EC2
 * serializers, boto/botocore:botocore/serialize.py, on the same
 * parameters), moto's and AWS's answers, claims, the pool's user data,
 * sealed tokens, minutes, and the address map file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "asg.h"
#include "base64.h"
#include "claim.h"
#include "deskctl.h"
#include "deskproto.h"
#include "ec2.h"
#include "query.h"
#include "seal.h"
#include "userdata.h"
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

static int
has(const char *s, const char *part)
{
	return (strstr(s, part) != NULL);
}

static void
test_forms(void)
{
	struct asg_create	 c;
	struct ec2_launch	 l;
	struct ec2_tag		 tags[2] = {
		{ (char *)"deskd:pool", (char *)"a" },
		{ (char *)"team", (char *)"x y" }
	};
	const char		*zones[2] = { "us-east-1a", "us-east-1b" };
	const char		*groups[1] = { "sg-1" };
	struct query		*q;
	char			*s;

	memset(&c, 0, sizeof c);
	c.name = "deskd-pool-a";
	c.template = "deskd-pool-a";
	c.min = 1;
	c.max = 3;
	c.desired = 2;
	c.zones = zones;
	c.nzones = 2;
	c.type = "t3.large";
	c.spot_percent = -1;
	c.tags = tags;
	c.ntags = 2;
	q = asg_create_query(&c);
	s = query_encode(q);
	check(has(s, "Action=CreateAutoScalingGroup&Version=2011-01-01&"
	    "AutoScalingGroupName=deskd-pool-a&MinSize=1&MaxSize=3&"
	    "DesiredCapacity=2&LaunchTemplate.LaunchTemplateName=deskd-pool-a&"
	    "LaunchTemplate.Version=%24Latest&"), "CreateAutoScalingGroup: "
	    "version 2011-01-01, sizes, the template at $Latest");
	check(has(s, "&AvailabilityZones.member.1=us-east-1a&"
	    "AvailabilityZones.member.2=us-east-1b&"),
	    "no subnet: the zones as AvailabilityZones.member.N");
	check(has(s, "&Tags.member.2.ResourceId=deskd-pool-a&"
	    "Tags.member.2.ResourceType=auto-scaling-group&"
	    "Tags.member.2.Key=team&Tags.member.2.Value=x+y&"
	    "Tags.member.2.PropagateAtLaunch=true"),
	    "tags as Tags.member.N, each propagated at launch");
	check(!has(s, "MixedInstancesPolicy"), "no spot: no mixed policy");
	free(s);
	query_free(q);
	c.spot_percent = 70;
	c.subnets = "subnet-1,subnet-2";
	q = asg_create_query(&c);
	s = query_encode(q);
	check(has(s, "&MixedInstancesPolicy.LaunchTemplate."
	    "LaunchTemplateSpecification.LaunchTemplateName=deskd-pool-a&") &&
	    has(s, "&MixedInstancesPolicy.LaunchTemplate.Overrides.member.1."
	    "InstanceType=t3.large&") && has(s, "&MixedInstancesPolicy."
	    "InstancesDistribution.OnDemandPercentageAboveBaseCapacity=30&")
	    && !has(s, "&LaunchTemplate.LaunchTemplateName"),
	    "--spot-percent 70: a mixed policy, 30% on demand, no plain "
	    "LaunchTemplate");
	check(has(s, "&VPCZoneIdentifier=subnet-1%2Csubnet-2&") &&
	    !has(s, "AvailabilityZones"), "subnets as VPCZoneIdentifier");
	free(s);
	query_free(q);

	memset(&l, 0, sizeof l);
	l.ami = "ami-1";
	l.type = "t3.large";
	l.count = 1;
	l.subnet = "subnet-9";
	l.groups = groups;
	l.ngroups = 1;
	l.disk_gb = 30;
	l.client_token = "deskctl-x";
	l.user_data = "#cloud-config\n";
	l.tags = tags;
	l.ntags = 1;
	l.public_ip = -1;
	q = ec2_template_query("deskd-pool-a", &l, tags, 1);
	s = query_encode(q);
	check(has(s, "Action=CreateLaunchTemplate&Version=2016-11-15&"
	    "LaunchTemplateName=deskd-pool-a&ClientToken=deskctl-x&"
	    "LaunchTemplateData.ImageId=ami-1&LaunchTemplateData.InstanceType="
	    "t3.large&"), "CreateLaunchTemplate: name, token, data prefixed");
	check(has(s, "&LaunchTemplateData.SecurityGroupId.1=sg-1&") &&
	    has(s, "&LaunchTemplateData.MetadataOptions.HttpTokens=required&")
	    && has(s, "&LaunchTemplateData.BlockDeviceMapping.1.Ebs."
	    "VolumeSize=30&") && has(s, "&LaunchTemplateData."
	    "InstanceInitiatedShutdownBehavior=terminate&") && has(s,
	    "&LaunchTemplateData.TagSpecification.1.ResourceType=instance&"),
	    "template data: groups, IMDSv2, root, shutdown, instance tags");
	check(!has(s, "MinCount") && !has(s, "SubnetId") && has(s,
	    "&TagSpecification.1.ResourceType=launch-template&"),
	    "no counts or subnet in a template (the group's); the template "
	    "itself tagged");
	free(s);
	query_free(q);
}

static const char groups_xml[] =
"<DescribeAutoScalingGroupsResponse xmlns=\"http://autoscaling.amazonaws.com/"
"doc/2011-01-01/\"><DescribeAutoScalingGroupsResult><AutoScalingGroups>"
"<member><AutoScalingGroupName>deskd-pool-a</AutoScalingGroupName>"
"<LaunchTemplate><LaunchTemplateName>deskd-pool-a</LaunchTemplateName>"
"<Version>$Latest</Version></LaunchTemplate><MinSize>1</MinSize>"
"<MaxSize>5</MaxSize><DesiredCapacity>2</DesiredCapacity><Instances>"
"<member><InstanceId>i-1</InstanceId><InstanceType>t3.large</InstanceType>"
"<AvailabilityZone>us-east-1a</AvailabilityZone><LifecycleState>InService"
"</LifecycleState><HealthStatus>Healthy</HealthStatus>"
"<ProtectedFromScaleIn>true</ProtectedFromScaleIn></member><member>"
"<InstanceId>i-2</InstanceId><LifecycleState>Pending</LifecycleState>"
"<ProtectedFromScaleIn>false</ProtectedFromScaleIn></member></Instances>"
"<Tags><member><ResourceId>deskd-pool-a</ResourceId><Key>deskd:pool</Key>"
"<Value>a</Value><PropagateAtLaunch>true</PropagateAtLaunch></member>"
"</Tags><WarmPoolConfiguration><MinSize>2</MinSize><PoolState>Stopped"
"</PoolState></WarmPoolConfiguration></member><member>"
"<AutoScalingGroupName>deskd-pool-s</AutoScalingGroupName><MinSize>0"
"</MinSize><MaxSize>2</MaxSize><DesiredCapacity>0</DesiredCapacity>"
"<MixedInstancesPolicy><LaunchTemplate><LaunchTemplateSpecification>"
"<LaunchTemplateName>deskd-pool-s</LaunchTemplateName>"
"</LaunchTemplateSpecification></LaunchTemplate><InstancesDistribution>"
"<OnDemandPercentageAboveBaseCapacity>40"
"</OnDemandPercentageAboveBaseCapacity></InstancesDistribution>"
"</MixedInstancesPolicy><Instances/><Status>Delete in progress</Status>"
"</member></AutoScalingGroups><NextToken>n2</NextToken>"
"</DescribeAutoScalingGroupsResult></DescribeAutoScalingGroupsResponse>";

static const char warm_xml[] =
"<DescribeWarmPoolResponse><DescribeWarmPoolResult><WarmPoolConfiguration>"
"<MinSize>2</MinSize></WarmPoolConfiguration><Instances><member>"
"<InstanceId>i-w1</InstanceId><LifecycleState>Warmed:Stopped"
"</LifecycleState></member></Instances></DescribeWarmPoolResult>"
"</DescribeWarmPoolResponse>";

static void
test_answers(void)
{
	struct xml_node		*root;
	struct asg_group	*g = NULL;
	struct asg_instance	*w = NULL;
	char			*cause = NULL;
	size_t			 n = 0, nw = 0;

	root = xml_parse(groups_xml, strlen(groups_xml), &cause);
	check(root != NULL && asg_parse_groups(root, &g, &n) == 0 && n == 2,
	    "DescribeAutoScalingGroups: two groups");
	if (n == 2) {
		check(g[0].min == 1 && g[0].max == 5 && g[0].desired == 2 &&
		    strcmp(g[0].template, "deskd-pool-a") == 0 &&
		    g[0].warm_min == 2 && strcmp(g[0].warm_state, "Stopped") ==
		    0 && strcmp(asg_tag(&g[0], "deskd:pool"), "a") == 0,
		    "sizes, template, warm pool, tags");
		check(g[0].ninstances == 2 &&
		    strcmp(g[0].instances[0].lifecycle, "InService") == 0 &&
		    g[0].instances[0].protected &&
		    !g[0].instances[1].protected &&
		    g[0].instances[1].health == NULL,
		    "instances: lifecycle, protection, missing health");
		check(g[1].mixed && g[1].spot_percent == 60 &&
		    strcmp(g[1].template, "deskd-pool-s") == 0 &&
		    g[1].warm_min == -1 && strcmp(g[1].status,
		    "Delete in progress") == 0 && g[1].ninstances == 0,
		    "a mixed group: its template, spot share, status");
	}
	asg_groups_free(g, n);
	xml_free(root);
	root = xml_parse(warm_xml, strlen(warm_xml), &cause);
	check(root != NULL && asg_parse_warm(root, &w, &nw) == 0 && nw == 1 &&
	    strcmp(w[0].lifecycle, "Warmed:Stopped") == 0,
	    "DescribeWarmPool: the warm instances");
	asg_instances_free(w, nw);
	xml_free(root);
	free(cause);
}

static void
test_claims(void)
{
	struct ec2_tag		 tags[4] = {
		{ (char *)"Name", (char *)"p" },
		{ (char *)"deskd:claim:bb",
		    (char *)"2026-01-01T00:00:09Z b@h:2" },
		{ (char *)"deskd:claim:aa",
		    (char *)"2026-01-01T00:00:05Z a@h:1" },
		{ (char *)"deskd:claimx", (char *)"not one" }
	};
	struct ec2_instance	 in;
	const char		*key, *holder;
	time_t			 since, t;

	memset(&in, 0, sizeof in);
	in.tags = tags;
	in.ntags = 4;
	check(claim_count(&in) == 2, "claims: deskd:claim:NONCE keys only");
	util_parse_iso("2026-01-01T00:00:05Z", &t);
	check(claim_oldest(&in, &key, &holder, &since) == 0 &&
	    strcmp(key, "deskd:claim:aa") == 0 && strcmp(holder, "a@h:1") ==
	    0 && since == t, "the oldest claim: its key, holder and time");
	in.ntags = 1;
	check(claim_count(&in) == 0 && claim_oldest(&in, &key, &holder,
	    &since) == -1, "no claim: free");
}

static void
test_userdata(void)
{
	struct userdata	 u;
	const char	*allow[1] = { "10.0.0.0/16" };
	char		*s;

	memset(&u, 0, sizeof u);
	u.desktop_user = "user";
	u.pool_key = "cHViLWtleQ==";
	u.idle_shutdown = 1800;
	s = userdata_build(&u);
	check(has(s, "  - path: /etc/deskd/pool.pub\n    owner: root:root\n"
	    "    permissions: \"0644\"\n    content: \"cHViLWtleQ==\"\n") &&
	    !has(s, "/etc/deskd/token"), "pool user data: the public key, no "
	    "token");
	check(has(s, "DESKD_INSTANCE_OPTS=\"--token-file /var/lib/deskd/token "
	    "--token-create --seal-to /etc/deskd/pool.pub --seal-id "
	    "@/var/lib/cloud/data/instance-id --idle-shutdown 1800s\""),
	    "... deskd makes, seals and binds its own token; idle shutdown");
	free(s);
	memset(&u, 0, sizeof u);
	u.desktop_user = "user";
	u.token = "t0ken-t0ken-t0ken";
	u.allow = allow;
	u.nallow = 1;
	u.expires_at = 1795000000;
	s = userdata_build(&u);
	check(has(s, "content: \"t0ken-t0ken-t0ken\"") && has(s,
	    "DESKD_INSTANCE_OPTS=\"--allow 10.0.0.0/16 --expires-at "
	    "2026-11-18T11:06:40Z\""), "plain user data: token, --allow, "
	    "--expires-at from --ttl");
	free(s);
	memset(&u, 0, sizeof u);
	u.desktop_user = "user";
	u.token = "t0ken-t0ken-t0ken";
	s = userdata_build(&u);
	check(!has(s, "instance.env"), "nothing to say: no instance.env");
	free(s);
}

static void
test_seal(void)
{
	unsigned char	 pk[crypto_box_PUBLICKEYBYTES], *raw, *box;
	const char	*plain = PROTO_SEAL_PREFIX " i-0abc t0ken";
	char		*pkb, *skb, *pk2, *sk2, *b64, *tok, *cause = NULL;
	size_t		 n, len = strlen(plain);

	check(seal_keypair(&pkb, &skb, &cause) == 0 &&
	    seal_keypair(&pk2, &sk2, &cause) == 0 && strcmp(pkb, pk2) != 0,
	    "two fresh key pairs differ");
	raw = proto_base64_decode(pkb, strlen(pkb), &n);
	memcpy(pk, raw, sizeof pk);
	free(raw);
	box = xmalloc(crypto_box_SEALBYTES + len);
	crypto_box_seal(box, (const unsigned char *)plain, len, pk);
	b64 = proto_base64(box, crypto_box_SEALBYTES + len);
	tok = seal_open(b64, pkb, skb, "i-0abc", &cause);
	check(tok != NULL && strcmp(tok, "t0ken") == 0,
	    "a box for the pool key opens to the guest's token");
	free(tok);
	tok = seal_open(b64, pkb, skb, "i-0other", &cause);
	check(tok == NULL && has(cause, "belongs to i-0abc, not to i-0other"),
	    "a box naming another instance is refused, and said so");
	free(cause);
	cause = NULL;
	tok = seal_open(b64, pk2, sk2, "i-0abc", &cause);
	check(tok == NULL && has(cause, "not for this pool's key"),
	    "another pool's key does not open it");
	free(cause);
	cause = NULL;
	tok = seal_open(NULL, pkb, skb, "i-0abc", &cause);
	check(tok == NULL && has(cause, "no sealed token"),
	    "no box: said so");
	free(cause);
	free(b64);
	free(box);
	free(pkb);
	free(pk2);
	util_free_secret(skb);
	util_free_secret(sk2);
}

static void
test_misc(void)
{
	char		 path[] = "/tmp/test-pool-map.XXXXXX";
	char		*s, *cause = NULL;
	long long	 secs;
	FILE		*f;
	int		 fd;

	check(util_parse_minutes("30", &secs, &cause) == 0 && secs == 1800 &&
	    util_parse_minutes("90s", &secs, &cause) == 0 && secs == 90 &&
	    util_parse_minutes("1h30m", &secs, &cause) == 0 && secs == 5400,
	    "--idle MIN: a bare number is minutes, suffixes as durations");
	check(util_parse_minutes("5x", &secs, &cause) == -1,
	    "--idle 5x is refused");
	free(cause);
	cause = NULL;
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		check(0, "mkstemp");
		return;
	}
	fprintf(f, "54.1.2.3=127.0.0.1:7000\n*=127.0.0.1:1\n");
	fclose(f);
	xasprintf(&s, "@%s", path);
	cause = wait_map_addr(s, "54.1.2.3");
	check(cause != NULL && strcmp(cause, "127.0.0.1:7000") == 0,
	    "address map file: an entry per line");
	free(cause);
	cause = wait_map_addr(s, "54.9.9.9");
	check(cause != NULL && strcmp(cause, "127.0.0.1:1") == 0,
	    "address map file: the wildcard line");
	free(cause);
	free(s);
	unlink(path);
}

int
main(void)
{
	if (sodium_init() == -1)
		return (1);
	test_forms();
	test_answers();
	test_claims();
	test_userdata();
	test_seal();
	test_misc();
	return (failures != 0);
}
