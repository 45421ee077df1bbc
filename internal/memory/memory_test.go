package memory

import (
	"math"
	"os"
	"strings"
	"testing"
)

func TestFromMeminfo(t *testing.T) {
	for _, c := range []struct {
		name, text string
		bytes      float64
		what       string
	}{
		{"available", "MemTotal:       24000000 kB\nMemFree: 1 kB\nMemAvailable:   23907893 kB\n", 23907893 * 1024, "this machine has 22.8 GiB available"},
		{"old kernel", "MemTotal:       1048576 kB\n", 1 << 30, "this machine has 1.0 GiB in all"},
		{"unreadable", "garbage\n", Cap, "the limit without a known machine memory is 1.0 TiB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := fromMeminfo([]byte(c.text))
			if l.Bytes != c.bytes || l.String() != c.what {
				t.Errorf("got %v %q, want %v %q", l.Bytes, l, c.bytes, c.what)
			}
		})
	}
}

func TestMachine(t *testing.T) {
	if l := Machine(); !(l.Bytes > 0) || l.String() == "" {
		t.Errorf("Machine() = %+v", l)
	}
}

func TestCheck(t *testing.T) {
	l := Of(1 << 30)
	for _, c := range []struct {
		need float64
		want string // "" fits
	}{
		{0, ""},
		{1 << 30, ""},
		{1<<30 + 1, "the model needs about 1.0 GiB (x), the limit is 1.0 GiB"},
		{16e9, "the model needs about 14.9 GiB (x), the limit is 1.0 GiB"},
		{math.Inf(1), "the model needs about more bytes than a number holds (x)"},
		{math.NaN(), "more bytes than a number holds"},
	} {
		err := l.Check(c.need, "the model", "x")
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v: %v", c.need, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v: got %v, want %q", c.need, err, c.want)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[float64]string{42: "42", 12345: "12 k", 3.7e9: "3.7 G", 7.8e11: "780.0 G", 1e18: "1e+18"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%v) = %q, want %q", n, got, want)
		}
	}
}

func TestAllocated(t *testing.T) {
	var keep []byte
	n := Allocated(func() { keep = make([]byte, 10<<20) })
	if n < 10<<20 || n > 11<<20 {
		t.Errorf("Allocated(10 MiB) = %d", n)
	}
	_ = keep
}

func TestMachineSources(t *testing.T) {
	files := func(m map[string]string) func(string) ([]byte, error) {
		return func(p string) ([]byte, error) {
			if v, ok := m[p]; ok {
				return []byte(v), nil
			}
			return nil, os.ErrNotExist
		}
	}
	meminfo := "MemTotal: 24000000 kB\nMemAvailable: 20971520 kB\n"
	for _, c := range []struct {
		name, env string
		files     map[string]string
		bytes     float64
		what      string
	}{
		{"meminfo", "", map[string]string{"/proc/meminfo": meminfo}, 20 << 30, "this machine has 20.0 GiB available"},
		{"cgroup v2", "", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory.max": "4294967296\n", "/sys/fs/cgroup/memory.current": "1073741824\n"}, 3 << 30, "this process's cgroup (container) has 3.0 GiB available"},
		{"cgroup v2 without limit", "", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory.max": "max\n"}, 20 << 30, "this machine has 20.0 GiB available"},
		{"cgroup v1 without limit", "", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"}, 20 << 30, "this machine has 20.0 GiB available"},
		{"cgroup v1", "", map[string]string{"/proc/meminfo": meminfo, "/sys/fs/cgroup/memory/memory.limit_in_bytes": "2147483648", "/sys/fs/cgroup/memory/memory.usage_in_bytes": "1073741824"}, 1 << 30, "this process's cgroup (container) has 1.0 GiB available"},
		{"nothing", "", nil, Cap, "the limit without a known machine memory is 1.0 TiB"},
		{"env", "512MiB", map[string]string{"/proc/meminfo": meminfo}, 512 << 20, "ZOO_MEMORY_LIMIT=512MiB allows 512.0 MiB"},
		{"env with a space", "2 GiB", nil, 2 << 30, "ZOO_MEMORY_LIMIT=2 GiB allows 2.0 GiB"},
		{"bad env", "lots", nil, 0, `ZOO_MEMORY_LIMIT="lots" is not a size (want bytes, or a number with KiB, MiB, GiB or TiB)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := machine(c.env, files(c.files))
			if l.Bytes != c.bytes || l.String() != c.what {
				t.Errorf("got %v %q, want %v %q", l.Bytes, l, c.bytes, c.what)
			}
		})
	}
}

func TestParseBytes(t *testing.T) {
	for s, want := range map[string]float64{"0": 0, "1024": 1024, "1.5K": 1536, "3 MiB": 3 << 20, "2gb": 2 << 30, "1TiB": 1 << 40} {
		if got, err := ParseBytes(s); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "x", "-1", "1 PB", "1e400", "GiB"} {
		if _, err := ParseBytes(s); err == nil {
			t.Errorf("ParseBytes(%q) accepted", s)
		}
	}
}
