#!/usr/bin/env python3
"""The peer to beat (issue: engine): DuckDB running the seed query's AWS branch over raw
CloudTrail JSON lines, as an analyst would, and tripline's `scan --rules
cloud-discovery-burst` on the same file, from one run. Optional, not a test.

    python3 -m pip install duckdb
    cargo run --release --bin tripline-bench -- --size-mb 211 --memory-events 0 --only normalize,
    python3 bench/duckdb_seed.py bench/out/cloudtrail-211mb.jsonl

read_json reads only the five columns the query needs; bin() is time_bucket(15 minutes)
aligned to the epoch; filters and scoring are the seed's.
"""
import json
import os
import statistics
import subprocess
import sys
import time

import duckdb

APIS = [
    "DescribeInstances", "DescribeVolumes", "DescribeSnapshots", "DescribeImages",
    "ListBuckets", "HeadBucket", "GetPublicAccessBlock", "GetBucketAcl", "GetBucketPolicy",
    "DescribeDBInstances", "DescribeDBClusters", "DescribeDBSnapshots",
    "DescribeSecurityGroups", "DescribeVpcs", "DescribeSubnets",
    "DescribeNetworkInterfaces", "DescribeRouteTables", "DescribeInternetGateways",
    "ListFunctions", "ListTables", "DescribeClusters", "GetCallerIdentity",
    "ListRoles", "ListUsers", "ListBuckets", "DescribeLoadBalancers",
    "DescribeAutoScalingGroups", "DescribeKeyPairs",
]

QUERY = """
WITH ev AS (
  SELECT CAST(eventTime AS TIMESTAMP) AS t, eventName, awsRegion, sourceIPAddress,
         userIdentity.arn AS arn, userIdentity.accountId AS account
  FROM read_json(?, format = 'newline_delimited',
       columns = {eventTime: 'VARCHAR', eventName: 'VARCHAR', awsRegion: 'VARCHAR',
                  sourceIPAddress: 'VARCHAR', userIdentity: 'STRUCT(arn VARCHAR, accountId VARCHAR)'})
), g AS (
  SELECT time_bucket(INTERVAL 15 MINUTES, t, TIMESTAMP '1970-01-01') AS bin, arn, account,
         count(*) AS n, count(DISTINCT eventName) AS d, count(DISTINCT awsRegion) AS r,
         min(t) AS first_seen, max(t) AS last_seen
  FROM ev WHERE eventName IN ({names}) AND arn IS NOT NULL AND arn <> ''
  GROUP BY ALL
)
SELECT bin, arn, account, n, d, r,
       CASE WHEN d >= 10 AND n >= 50 THEN 90 WHEN d >= 7 AND n >= 20 THEN 70
            WHEN d >= 5 OR n >= 10 THEN 50 ELSE 30 END AS score
FROM g WHERE n >= 10 OR d >= 5
ORDER BY score DESC, n DESC
""".replace("{names}", ", ".join("'%s'" % a for a in sorted(set(APIS))))


ROUNDS = int(os.environ.get("ROUNDS", "7"))


def main(path):
    size_mb = os.path.getsize(path) / 1e6
    con = duckdb.connect()
    con.execute("SET threads = %d" % os.cpu_count())
    exe = os.path.join(os.path.dirname(__file__), "..", "target", "release", "tripline")
    # Interleaved rounds, both warm (the file is in the page cache after the first read);
    # this virtualised machine is noisy, so the medians are compared.
    duck_times, our_times = [], []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        rows = con.execute(QUERY, [path]).fetchall()
        duck_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        out = subprocess.run([exe, "scan", "--quiet", "--output", "jsonl", "--rules", "cloud-discovery-burst", path],
                             check=True, capture_output=True, text=True).stdout
        our_times.append(time.perf_counter() - t)
    duck, ours = statistics.median(duck_times), statistics.median(our_times)
    alerts = [json.loads(l) for l in out.splitlines()]
    duck_keys = sorted((r[1], r[2], r[0].isoformat(), r[3], r[4], r[5], r[6]) for r in rows)
    our_keys = sorted((a["group"]["identity"], a["group"]["account"], a["window_start"].rstrip("Z"), a["count"],
                       a["fields"]["DistinctAPIs"], a["fields"]["DistinctRegions"], a["risk_score"]) for a in alerts)
    same = duck_keys == our_keys
    ratios = sorted(d / o for d, o in zip(duck_times, our_times))
    print(f"file: {path} ({size_mb:.0f} MB), {ROUNDS} interleaved rounds, medians")
    print(f"duckdb {duckdb.__version__}: {len(rows)} rows in {duck:.3f}s ({size_mb / duck:.0f} MB/s); "
          f"rounds {', '.join(f'{x:.3f}' for x in duck_times)}")
    print(f"tripline: {len(alerts)} rows in {ours:.3f}s ({size_mb / ours:.0f} MB/s); "
          f"rounds {', '.join(f'{x:.3f}' for x in our_times)}")
    print(f"same rows: {same}; speed-up {duck / ours:.1f}x (per round {ratios[0]:.1f}-{ratios[-1]:.1f}x)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
