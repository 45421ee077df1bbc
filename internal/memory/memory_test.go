package memory

import (
	"math"
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
