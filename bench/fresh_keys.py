#!/usr/bin/env python3
"""Writes N CloudTrail JSON lines in which every event has a fresh identity, access key and
source address, all within one hour of one account: the worst case for history rules that
key their state by identity, key or address (issue 10, point 8). Deterministic.

    python3 bench/fresh_keys.py 200000 > /tmp/fresh-200k.jsonl
"""
import sys

n = int(sys.argv[1])
out = sys.stdout
names = ["DescribeInstances", "GetCallerIdentity", "ListBuckets", "PutObject", "GetObject",
         "DescribeVolumes", "AssumeRole", "ListUsers"]
for i in range(n):
    # Spread over one hour, in order; a fresh /24 every 256 events, a fresh address each time.
    secs = i * 3600 // n
    t = f"2024-05-06T10:{secs // 60:02d}:{secs % 60:02d}Z"
    ip = f"{11 + (i >> 16) % 200}.{(i >> 8) & 255}.{i & 255}.{7 + i % 200}"
    key = f"AKIA{i:016d}"
    name = names[i % len(names)]
    out.write(
        '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA%d",'
        '"arn":"arn:aws:iam::123456789012:user/u%d","accountId":"123456789012","accessKeyId":"%s",'
        '"userName":"u%d"},"eventTime":"%s","eventSource":"ec2.amazonaws.com","eventName":"%s",'
        '"awsRegion":"eu-west-1","sourceIPAddress":"%s","userAgent":"aws-cli/2.15.0",'
        '"requestParameters":null,"responseElements":null,"eventID":"e%d","readOnly":true,'
        '"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012"}\n'
        % (i, i, key, i, t, name, ip, i)
    )
