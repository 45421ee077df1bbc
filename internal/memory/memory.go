// Package memory compares what an input would cost with what the machine
// has, so that a size an input only claims (a model's units, a header's
// count, a batch size) is refused with both sizes named instead of ending
// the process in Go's "fatal error: runtime: out of memory", which no
// recover catches.
package memory

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
)

// Cap is the limit when the machine's memory cannot be read (no
// /proc/meminfo): far above what zoo's models and data sets need, and far
// below what a hostile claim reaches.
const Cap = 1 << 40 // 1 TiB

// Limit is how many bytes a check allows, with the words that name it in
// an error ("this machine has 22.8 GiB available").
type Limit struct {
	Bytes float64
	// What names the limit in messages; empty means "the limit is …".
	What string
}

// Of is a fixed limit of n bytes, for tests and for callers that budget
// memory themselves.
func Of(n float64) Limit { return Limit{Bytes: n} }

// Machine is the memory available on this machine now: MemAvailable of
// /proc/meminfo on Linux (MemTotal when the kernel is too old to say), or
// Cap elsewhere. It is read at each call, so a check made after a data set
// is loaded counts what the data already took.
func Machine() Limit {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return Limit{Bytes: Cap, What: "the limit without a known machine memory is " + Bytes(Cap)}
	}
	return fromMeminfo(data)
}

// fromMeminfo reads MemAvailable (else MemTotal) from /proc/meminfo's text.
func fromMeminfo(data []byte) Limit {
	fields := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(string(f[1]), 64)
		if err != nil {
			continue
		}
		if len(f) > 2 && string(f[2]) == "kB" {
			v *= 1024
		}
		fields[string(bytes.TrimSuffix(f[0], []byte(":")))] = v
	}
	if v, ok := fields["MemAvailable"]; ok {
		return Limit{Bytes: v, What: "this machine has " + Bytes(v) + " available"}
	}
	if v, ok := fields["MemTotal"]; ok {
		return Limit{Bytes: v, What: "this machine has " + Bytes(v) + " in all"}
	}
	return Limit{Bytes: Cap, What: "the limit without a known machine memory is " + Bytes(Cap)}
}

// String names the limit, as errors say it.
func (l Limit) String() string {
	if l.What != "" {
		return l.What
	}
	return "the limit is " + Bytes(l.Bytes)
}

// Allows reports whether need bytes fit. need is a float64 so that an
// estimate made of claimed sizes cannot wrap around: +Inf and NaN never
// fit.
func (l Limit) Allows(need float64) bool {
	return need <= l.Bytes && !math.IsNaN(need)
}

// Check returns an error saying what needs how much, and the limit, when
// need does not fit; what is a phrase such as "the model" or "the data".
// The message has no package prefix: callers add theirs and the file.
func (l Limit) Check(need float64, what, detail string) error {
	if l.Allows(need) {
		return nil
	}
	if detail != "" {
		detail = " (" + detail + ")"
	}
	return fmt.Errorf("%s needs about %s%s, %s", what, Bytes(need), detail, l)
}

// Bytes formats n bytes in binary units: "512 B", "14.9 GiB".
func Bytes(n float64) string {
	if math.IsNaN(n) || math.IsInf(n, 0) {
		return "more bytes than a number holds"
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	u := 0
	for n >= 1024 && u < len(units)-1 {
		n /= 1024
		u++
	}
	switch {
	case u == 0:
		return fmt.Sprintf("%.0f B", n)
	case n >= 1024:
		return fmt.Sprintf("%.2g %s", n, units[u])
	}
	return fmt.Sprintf("%.1f %s", n, units[u])
}

// Count formats a count with a decimal prefix: "3.7 G", "812 k", "42".
func Count(n float64) string {
	switch {
	case math.IsNaN(n) || math.IsInf(n, 0):
		return "uncountably many"
	case n >= 1e15:
		return fmt.Sprintf("%.2g", n)
	case n >= 1e12:
		return fmt.Sprintf("%.1f T", n/1e12)
	case n >= 1e9:
		return fmt.Sprintf("%.1f G", n/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f M", n/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.0f k", n/1e3)
	}
	return fmt.Sprintf("%.0f", n)
}

// Allocated returns the bytes f allocates on the heap (the growth of
// runtime.MemStats.TotalAlloc around it, freed or not): the fuzz targets
// of the parsers use it to fail a case that allocates more than its input
// proves. Other goroutines' allocations count too, so callers run nothing
// else meanwhile.
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
