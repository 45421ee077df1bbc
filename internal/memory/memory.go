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
	"strings"
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

// EnvLimit is the environment variable that sets the limit instead of the
// machine's memory: a number of bytes, or of KiB, MiB, GiB or TiB
// ("512MiB", "2 GiB"). It is for machines whose memory the kernel
// misreports to a process, and for tests.
const EnvLimit = "ZOO_MEMORY_LIMIT"

// Machine is the memory zoo may use now: EnvLimit when set; else what
// /proc/meminfo calls MemAvailable (MemTotal when the kernel is too old to
// say), or less when the process's cgroup (a container) allows less; Cap
// when neither can be read. It is read at each call, so a check made after
// a data set is loaded counts what the data already took.
func Machine() Limit {
	return machine(os.Getenv(EnvLimit), os.ReadFile)
}

// machine is Machine with the environment's value and the file reader as
// parameters, for tests.
func machine(env string, read func(string) ([]byte, error)) Limit {
	if env != "" {
		n, err := ParseBytes(env)
		if err != nil {
			return Limit{Bytes: 0, What: fmt.Sprintf("%s=%q is not a size (want bytes, or a number with KiB, MiB, GiB or TiB)", EnvLimit, env)}
		}
		return Limit{Bytes: n, What: fmt.Sprintf("%s=%s allows %s", EnvLimit, env, Bytes(n))}
	}
	l := Limit{Bytes: Cap, What: "the limit without a known machine memory is " + Bytes(Cap)}
	if data, err := read("/proc/meminfo"); err == nil {
		l = fromMeminfo(data)
	}
	if room, ok := cgroupRoom(read); ok && room < l.Bytes {
		l = Limit{Bytes: room, What: "this process's cgroup (container) has " + Bytes(room) + " available"}
	}
	return l
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

// cgroupRoom is what the process's memory cgroup still allows (its limit
// less its usage), v2 or v1; ok is false without a limit.
func cgroupRoom(read func(string) ([]byte, error)) (float64, bool) {
	for _, files := range [][2]string{
		{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},
		{"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"},
	} {
		raw, err := read(files[0])
		if err != nil {
			continue
		}
		limit, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
		if err != nil || limit >= 1<<62 { // "max", or v1's "no limit"
			return 0, false
		}
		used := 0.0
		if cur, err := read(files[1]); err == nil {
			used, _ = strconv.ParseFloat(string(bytes.TrimSpace(cur)), 64)
		}
		return max(limit-used, 0), true
	}
	return 0, false
}

// ParseBytes reads a size: a number of bytes, or of KiB, MiB, GiB or TiB
// (also K, M, G, T, KB, …, all binary), spaces allowed before the unit.
func ParseBytes(s string) (float64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 || math.IsInf(n, 0) {
		return 0, fmt.Errorf("memory: %q is not a size", s)
	}
	scale := map[string]float64{"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10,
		"M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20, "G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30,
		"T": 1 << 40, "TB": 1 << 40, "TIB": 1 << 40}
	f, ok := scale[strings.ToUpper(unit)]
	if !ok {
		return 0, fmt.Errorf("memory: %q is not a size: unknown unit %q", s, unit)
	}
	return n * f, nil
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
