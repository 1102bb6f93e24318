#!/usr/bin/env python3
"""ec2-fault-proxy: a small HTTP proxy in front of moto that injects the
EC2 faults deskctl must ride out (test aid for tests/integration/deskctl-*.t).

    ec2-fault-proxy.py LISTEN_PORT UPSTREAM_PORT [--throttle N] [--notfound N]
                       [--log FILE]

--throttle N   the first N requests of every Action answer HTTP 503
               RequestLimitExceeded (EC2's throttling error)
--notfound N   the first N DescribeInstances calls naming instance ids
               answer HTTP 400 InvalidInstanceID.NotFound (eventual
               consistency right after RunInstances)
--always ACTION:CODE   every ACTION call answers HTTP 400 CODE (e.g.
               RunInstances:InsufficientInstanceCapacity)
--lose-run N   the first N RunInstances reach moto, which launches, but the
               client gets HTTP 503 ServiceUnavailable (a lost answer)
--idempotent   AWS's ClientToken rule, which moto lacks: a RunInstances
               whose ClientToken was seen before is answered from the
               first answer (or, if that was lost, lost again), and moto
               is not asked twice
--unknown-id ID  a DescribeInstances or TerminateInstances naming ID fails
               as a whole with InvalidInstanceID.NotFound, as AWS does
               (moto drops the unknown id)
--count FILE   one line per request: "ACTION ids=N" (InstanceId.N and
               Auto Scaling's InstanceIds.member.N)
--warm-instances N  moto keeps a warm pool's settings but never puts an
               instance in it: a DescribeWarmPool answer gets N
               "Warmed:Stopped" instances added (moto still checks the
               signature; the request must name its AutoScalingGroupName,
               and MaxRecords if any must be 1..100, as AWS wants, or it is
               answered 400 ValidationError)

Everything else is forwarded unchanged, Host header included, so moto's
signature check still sees what the client signed.  One line per injected
fault goes to --log: "ACTION CODE".
"""
import http.client
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERROR = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
         '<Code>{code}</Code><Message>{msg}</Message></Error></Errors>'
         '<RequestID>fault-proxy</RequestID></Response>')


class State:
    lock = threading.Lock()
    per_action = {}
    notfound_left = 0
    throttle = 0
    always = {}
    log = None
    count = None
    lose_run = 0
    idempotent = False
    unknown_id = None
    tokens = {}
    warm = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def fault(self, action, status, code, msg):
        body = ERROR.format(code=code, msg=msg).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if State.log:
            with State.lock, open(State.log, "a") as f:
                f.write("%s %s\n" % (action, code))

    def forward(self, body, action=None, token=None):
        conn = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=60)
        conn.putrequest(self.command, self.path, skip_host=True,
                        skip_accept_encoding=True)
        for k, v in self.headers.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        r = conn.getresponse()
        data = r.read()
        if action == "DescribeWarmPool" and r.status == 200 and State.warm:
            extra = "".join(
                "<member><InstanceId>i-0warm%012d</InstanceId>"
                "<InstanceType>t3.large</InstanceType>"
                "<AvailabilityZone>us-east-1a</AvailabilityZone>"
                "<LifecycleState>Warmed:Stopped</LifecycleState>"
                "<HealthStatus>Healthy</HealthStatus></member>" % i
                for i in range(State.warm)).encode()
            data = data.replace(b"<Instances/>",
                                b"<Instances>" + extra + b"</Instances>")
        if action == "RunInstances" and r.status == 200:
            with State.lock:
                lose = State.lose_run > 0
                if lose:
                    State.lose_run -= 1
                if token and State.idempotent:
                    State.tokens[token] = None if lose else data
            if lose:
                conn.close()
                return self.fault(action, 503, "ServiceUnavailable",
                                  "Service unavailable (answer lost).")
        self.send_response(r.status)
        for k, v in r.getheaders():
            # x-amz-crc32 would not match a body changed here.
            if k.lower() not in ("transfer-encoding", "connection",
                                 "content-length", "server", "date",
                                 "x-amz-crc32"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        params = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        action = params.get("Action", [""])[0]
        token = params.get("ClientToken", [None])[0]
        if action and State.count:
            with State.lock, open(State.count, "a") as f:
                f.write("%s ids=%d\n" % (action, sum(
                    1 for k in params if k.startswith("InstanceId.") or
                    k.startswith("InstanceIds.member."))))
        if action == "DescribeWarmPool" and State.warm:
            mr = params.get("MaxRecords", ["100"])[0]
            if (not params.get("AutoScalingGroupName", [""])[0] or
                    not mr.isdigit() or not 1 <= int(mr) <= 100):
                return self.fault(action, 400, "ValidationError",
                                  "Injected: bad DescribeWarmPool request")
        if (action in ("DescribeInstances", "TerminateInstances") and
                State.unknown_id and any(
                    v == [State.unknown_id] for k, v in params.items()
                    if k.startswith("InstanceId.")) and
                sum(1 for k in params if k.startswith("InstanceId.")) >= 1):
            return self.fault(action, 400, "InvalidInstanceID.NotFound",
                              "The instance ID '%s' does not exist" %
                              State.unknown_id)
        if action == "RunInstances" and State.idempotent and token:
            with State.lock:
                known = token in State.tokens
                cached = State.tokens.get(token)
            if known and cached is None:
                return self.fault(action, 503, "ServiceUnavailable",
                                  "Service unavailable (answer lost).")
            if known:
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(cached)))
                self.end_headers()
                self.wfile.write(cached)
                return
        if action:
            with State.lock:
                seen = State.per_action.get(action, 0)
                State.per_action[action] = seen + 1
                throttle = seen < State.throttle
                notfound = False
                if (not throttle and action == "DescribeInstances" and
                        any(k.startswith("InstanceId.") for k in params) and
                        State.notfound_left > 0):
                    State.notfound_left -= 1
                    notfound = True
            if action in State.always:
                return self.fault(action, 400, State.always[action],
                                  "Injected by ec2-fault-proxy.")
            if throttle:
                return self.fault(action, 503, "RequestLimitExceeded",
                                  "Request limit exceeded.")
            if notfound:
                return self.fault(action, 400, "InvalidInstanceID.NotFound",
                                  "The instance IDs do not exist")
        self.forward(body, action, token)

    do_GET = do_POST = do_PUT = handle_any


def main():
    global UPSTREAM
    args = sys.argv[1:]
    port, UPSTREAM = int(args[0]), int(args[1])
    i = 2
    while i < len(args):
        if args[i] == "--throttle":
            State.throttle = int(args[i + 1])
        elif args[i] == "--notfound":
            State.notfound_left = int(args[i + 1])
        elif args[i] == "--always":
            a, c = args[i + 1].split(":", 1)
            State.always[a] = c
        elif args[i] == "--log":
            State.log = args[i + 1]
        elif args[i] == "--count":
            State.count = args[i + 1]
        elif args[i] == "--lose-run":
            State.lose_run = int(args[i + 1])
        elif args[i] == "--unknown-id":
            State.unknown_id = args[i + 1]
        elif args[i] == "--warm-instances":
            State.warm = int(args[i + 1])
        elif args[i] == "--idempotent":
            State.idempotent = True
            i += 1
            continue
        else:
            sys.exit("unknown option " + args[i])
        i += 2
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
