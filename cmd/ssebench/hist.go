package main

import (
	"math/bits"
	"strconv"
	"sync/atomic"
	"time"
)

// histogram is a log-linear latency histogram in nanoseconds: one group of
// 32 buckets per power of two, so a bucket is at most ~3% wide. Adds are
// atomic, so the readers of one worker share one histogram.
type histogram struct {
	counts [64 * histSub]atomic.Uint64
	max    atomic.Int64
}

const (
	histShift = 5 // log2 of the sub-buckets per power of two
	histSub   = 1 << histShift
)

func histIndex(v int64) int {
	if v < histSub {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	u := uint64(v)
	e := bits.Len64(u) - 1 // u in [2^e, 2^(e+1))
	sub := (u >> (e - histShift)) & (histSub - 1)
	return (e-histShift+1)*histSub + int(sub)
}

// histValue is the middle of bucket i.
func histValue(i int) int64 {
	if i < histSub {
		return int64(i)
	}
	e := i/histSub + histShift - 1
	sub := uint64(i % histSub)
	lo := (uint64(1) << e) | sub<<(e-histShift)
	width := uint64(1) << (e - histShift)
	return int64(lo + width/2)
}

func (h *histogram) add(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.counts[histIndex(v)].Add(1)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// snapshot returns the histogram in the sparse form workers report.
func (h *histogram) snapshot() histData {
	d := histData{Buckets: map[string]uint64{}, MaxNs: h.max.Load()}
	for i := range h.counts {
		if c := h.counts[i].Load(); c > 0 {
			d.Buckets[strconv.Itoa(i)] = c
			d.Count += c
		}
	}
	return d
}

// histData is a histogram on the wire (bucket index -> count).
type histData struct {
	Buckets map[string]uint64 `json:"buckets,omitempty"`
	Count   uint64            `json:"count"`
	MaxNs   int64             `json:"max_ns"`
}

func (d *histData) merge(o histData) {
	if d.Buckets == nil {
		d.Buckets = map[string]uint64{}
	}
	for k, v := range o.Buckets {
		d.Buckets[k] += v
	}
	d.Count += o.Count
	d.MaxNs = max(d.MaxNs, o.MaxNs)
}

// quantile returns the q-quantile (0..1) in nanoseconds, 0 when empty.
func (d *histData) quantile(q float64) int64 {
	if d.Count == 0 {
		return 0
	}
	var dense [64 * histSub]uint64
	for k, v := range d.Buckets {
		if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < len(dense) {
			dense[i] += v
		}
	}
	rank := uint64(q * float64(d.Count))
	if rank >= d.Count-1 {
		return d.MaxNs // the largest value is known exactly
	}
	var seen uint64
	for i, c := range dense {
		seen += c
		if seen > rank {
			return min(histValue(i), d.MaxNs)
		}
	}
	return d.MaxNs
}
