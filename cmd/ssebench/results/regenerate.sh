#!/bin/sh
# Re-runs every measurement in BENCHMARKS.md (medians of 3 runs per target,
# luahost and the plain Go baseline interleaved in each invocation), writes
# the JSON results next to this script and redraws the fan-out chart.
# About 35 minutes on the 2-core machine of BENCHMARKS.md. Run from the
# repository root: sh cmd/ssebench/results/regenerate.sh
set -eu
out=cmd/ssebench/results
go build -o /tmp/ssebench-regen ./cmd/ssebench
b() { /tmp/ssebench-regen -compare -runs 3 -quiet "$@"; }
for n in 1000 5000 10000 19000; do
	b -scenario fanout -n $n -bursts 5 -burst-size 50 -json $out/fanout-bursts-$n.json
	b -scenario fanout -n $n -rate 1 -duration 10s -json $out/fanout-rate-$n.json
done
for n in 1000 5000 10000 19000; do
	b -scenario idle -n $n -duration 10s -heartbeat 5s -json $out/idle-$n.json
done
b -scenario idle -n 19000 -duration 60s -heartbeat 5s -json $out/idle-19000-60s.json
b -scenario churn -n 10000 -rate 1000 -duration 10s -json $out/churn-10000.json
b -scenario handler -n 64 -duration 5s -json $out/handler-64.json
/tmp/ssebench-regen -chart $out/fanout.png -chart-from "$out/fanout-*.json"
