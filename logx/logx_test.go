package logx

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// stringer has a value receiver; (*panicky)(nil).String panics.
type stringer struct{ s string }

func (s stringer) String() string { return s.s }

type panicky struct{ s string }

func (p *panicky) String() string { return p.s }

type point struct{ X, Y int }

// slogLine is what slog's TextHandler writes for the record (no time attribute).
func slogLine(level slog.Level, with []any, msg string, kv ...any) string {
	var buf bytes.Buffer
	drop := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: drop}))
	if with != nil {
		l = l.With(with...)
	}
	l.Log(context.Background(), level, msg, kv...)
	return buf.String()
}

func line(level Level, with []any, msg string, kv ...any) string {
	b := appendRecord(nil, time.Time{}, level, msg, appendPairs(nil, with), kv)
	return string(b)
}

// The lines match slog's TextHandler byte for byte: scripts and tests grep them.
func TestSameAsSlog(t *testing.T) {
	tests := []struct {
		name string
		with []any
		msg  string
		kv   []any
	}{
		{name: "bare message", msg: "disconnecting"},
		{name: "message with space", msg: "tunnel up", kv: []any{"ifname", "sstp0", "local", netip.MustParseAddr("10.0.0.2")}},
		{name: "empty strings", msg: "", kv: []any{"", ""}},
		{name: "quote and equals", msg: `a"b`, kv: []any{"k=v", `x"y`, "path", `C:\dir`}},
		{name: "control chars", msg: "tab\there", kv: []any{"nl", "a\nb", "nul", "\x00", "del", "\x7f"}},
		{name: "unicode", msg: "grüße", kv: []any{"nbsp", "a\u00a0b", "bad", "\xff", "fffd", "\ufffd", "emoji", "🙂"}},
		{name: "numbers", msg: "n", kv: []any{"int", -42, "i8", int8(-8), "i16", int16(16), "i32", int32(-32), "i64", int64(1 << 40),
			"uint", uint(7), "u8", uint8(255), "u16", uint16(65535), "u32", uint32(1 << 31), "u64", uint64(1 << 63), "f", 1.5, "f32", float32(0.25)}},
		{name: "bool", msg: "b", kv: []any{"yes", true, "no", false}},
		{name: "duration", msg: "reconnecting", kv: []any{"in", 1500 * time.Millisecond, "zero", time.Duration(0)}},
		{name: "addresses", msg: "a", kv: []any{"v4", netip.MustParseAddr("10.1.2.3"), "v6", netip.MustParseAddr("fe80::1%eth0"),
			"zero", netip.Addr{}, "prefix", netip.MustParsePrefix("10.1.0.0/16"), "noprefix", netip.Prefix{},
			"ap", netip.MustParseAddrPort("[::1]:443"), "noap", netip.AddrPort{}}},
		{name: "error", msg: "connect failed", kv: []any{"err", errors.New("dial tcp: connection refused")}},
		{name: "nil", msg: "n", kv: []any{"err", nil}},
		{name: "stringer", msg: "s", kv: []any{"state", stringer{"Opened"}, "quoted", stringer{"two words"}}},
		{name: "struct falls back to fmt", msg: "s", kv: []any{"p", 7i}},
		{name: "odd pair", msg: "m", kv: []any{"a", 1, "dangling"}},
		{name: "non-string key", msg: "m", kv: []any{42, "a", 1}},
		{name: "with", with: []any{"session", 3, "remote", "1.2.3.4:5"}, msg: "recv", kv: []any{"type", "ECHO_REQUEST"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, lv := range []Level{LevelDebug, LevelInfo, LevelWarn, LevelError} {
				got := line(lv, tt.with, tt.msg, tt.kv...)
				want := slogLine(slog.Level(lv), tt.with, tt.msg, tt.kv...)
				if got != want {
					t.Errorf("level %v\n got %q\nwant %q", lv, got, want)
				}
			}
		})
	}
}

// Values slog formats differently on purpose or that slog cannot see.
func TestValues(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{name: "bytes as hex", v: []byte{0xde, 0xad, 0x01}, want: "dead01"},
		{name: "empty bytes", v: []byte{}, want: ""},
		{name: "panicking Stringer", v: (*panicky)(nil), want: "!PANIC"},
		{name: "struct", v: point{1, 2}, want: `"{1 2}"`},
		{name: "time", v: time.Date(2026, 11, 25, 14, 56, 28, 70_999_999, time.UTC), want: "2026-11-25T14:56:28.070Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendValue([]byte("x="), tt.v)); got != "x="+tt.want {
				t.Errorf("got %q, want %q", got, "x="+tt.want)
			}
		})
	}
}

// The time stamp is slog's: RFC 3339, milliseconds truncated, zone offset.
func TestTimeSameAsSlog(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 11, 25, 14, 56, 28, 70_999_999, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 2*3600+30*60)),
		time.Date(2026, 1, 2, 3, 4, 5, 999_999_999, time.FixedZone("", -7*3600)),
	} {
		var buf bytes.Buffer
		fixed := func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Time(slog.TimeKey, tm)
			}
			return a
		}
		slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: fixed})).Info("m", "at", tm)
		got := string(appendRecord(nil, tm, LevelInfo, "m", nil, []any{"at", tm}))
		if got != buf.String() {
			t.Errorf("got %q, want %q", got, buf.String())
		}
	}
}

func TestLevels(t *testing.T) {
	tests := []struct {
		in   string
		want Level
		str  string
		err  bool
	}{
		{in: "debug", want: LevelDebug, str: "DEBUG"},
		{in: "INFO", want: LevelInfo, str: "INFO"},
		{in: "Warn", want: LevelWarn, str: "WARN"},
		{in: "warning", want: LevelWarn, str: "WARN"},
		{in: "error", want: LevelError, str: "ERROR"},
		{in: "verbose", err: true},
		{in: "", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			l, err := ParseLevel(tt.in)
			if tt.err {
				if !errors.Is(err, ErrLevel) {
					t.Errorf("err %v", err)
				}
				return
			}
			if err != nil || l != tt.want || l.String() != tt.str {
				t.Errorf("got %v %q %v", l, l.String(), err)
			}
		})
	}
	for _, lv := range []Level{-6, -1, 2, 5, 9, 20} {
		if got, want := lv.String(), slog.Level(lv).String(); got != want {
			t.Errorf("Level(%d) = %q, slog says %q", int(lv), got, want)
		}
	}
}

func TestLoggerFilterAndWith(t *testing.T) {
	now = func() time.Time { return time.Date(2026, 11, 25, 14, 56, 28, 70e6, time.UTC) }
	defer func() { now = time.Now }()
	var buf bytes.Buffer
	l := New(&buf, LevelInfo)
	if l.Enabled(LevelDebug) || !l.Enabled(LevelInfo) || !l.Enabled(LevelError) {
		t.Error("Enabled")
	}
	l.Debug("hidden")
	l.Info("tunnel up", "ifname", "sstp0")
	s := l.With("session", 1)
	s.Warn("no answer to SSTP echo", "silence", 30*time.Second)
	l.Error("plain")
	want := "time=2026-11-25T14:56:28.070Z level=INFO msg=\"tunnel up\" ifname=sstp0\n" +
		"time=2026-11-25T14:56:28.070Z level=WARN msg=\"no answer to SSTP echo\" session=1 silence=30s\n" +
		"time=2026-11-25T14:56:28.070Z level=ERROR msg=plain\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

// With on a logger does not leak its pairs into siblings sharing the backing array.
func TestWithSiblings(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, LevelDebug).With("a", 1)
	x, y := l.With("x", 1), l.With("y", 2)
	x.Info("m")
	y.Info("m")
	for i, ln := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		want := []string{" a=1 x=1", " a=1 y=2"}[i]
		if !strings.HasSuffix(ln, want) {
			t.Errorf("line %d %q, want suffix %q", i, ln, want)
		}
	}
}

func TestNilLogger(t *testing.T) {
	var l *Logger
	l.Debug("x")
	l.Info("x", "k", 1)
	l.Warn("x")
	l.Error("x")
	if l.Enabled(LevelError) || l.With("k", 1) != nil || New(nil, LevelDebug) != nil {
		t.Error("nil logger is not a discard logger")
	}
}

// writeCounter records each Write call separately.
type writeCounter struct {
	mu     sync.Mutex
	writes []string
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writes = append(w.writes, string(p))
	w.mu.Unlock()
	return len(p), nil
}

// Concurrent records never interleave: one whole line per Write.
func TestConcurrentOneWritePerLine(t *testing.T) {
	w := &writeCounter{}
	l := New(w, LevelDebug)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := l.With("g", g)
			for i := range 100 {
				c.Info("record number", "i", i, "text", strings.Repeat("x", i*10))
			}
		}()
	}
	wg.Wait()
	if len(w.writes) != 800 {
		t.Fatalf("%d writes", len(w.writes))
	}
	for _, s := range w.writes {
		if strings.Count(s, "\n") != 1 || !strings.HasSuffix(s, "\n") || !strings.Contains(s, "msg=\"record number\" g=") {
			t.Fatalf("bad write %q", s)
		}
	}
}

func TestNoAllocsWhenDisabled(t *testing.T) {
	l := New(&bytes.Buffer{}, LevelInfo)
	n := testing.AllocsPerRun(100, func() { l.Debug("sstp send", "type", "ECHO_REQUEST") })
	if n != 0 {
		t.Errorf("%v allocs", n)
	}
}

// FuzzQuote: every string is written as slog writes it, and the result
// reads back: bare strings have no separator in them, quoted ones unquote.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "plain", "two words", "k=v", `"`, `\`, "\x00", "\x7f", "\xff", "\u00a0", "\u2028", "é", "a\tb"} {
		f.Add(s, "key", s)
	}
	f.Fuzz(func(t *testing.T, msg, key, val string) {
		b := appendString(nil, val)
		if needsQuoting(val) {
			u, err := strconv.Unquote(string(b))
			if err != nil || u != val {
				t.Fatalf("%q unquotes to %q, %v", b, u, err)
			}
		} else if strings.ContainsAny(string(b), " =\"\n\t") || string(b) != val {
			t.Fatalf("bare %q", b)
		}
		got := line(LevelInfo, nil, msg, key, val)
		if want := slogLine(slog.LevelInfo, nil, msg, key, val); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

// A line has exactly one msg key (and one time and level): a call site that
// passes "msg" as a key, as `s.log.Debug("sstp send", "msg", t)` once did,
// must not produce `msg="sstp send" msg=CALL_CONNECT_REQUEST`, which log
// parsers read as one key with the last value.
func TestOneMsgKeyPerLine(t *testing.T) {
	now = func() time.Time { return time.Date(2026, 11, 25, 14, 56, 28, 70e6, time.UTC) }
	defer func() { now = time.Now }()
	var buf bytes.Buffer
	l := New(&buf, LevelDebug)
	l.Debug("sstp send", "msg", "CALL_CONNECT_REQUEST", "time", 1, "level", 2)
	l.With("msg", "x").Info("with")
	for _, ln := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		for _, k := range []string{"msg=", "time=", "level="} {
			if n := strings.Count(" "+ln, " "+k); n != 1 {
				t.Errorf("%d %q keys in %q", n, k, ln)
			}
		}
	}
	t.Log(buf.String())
}
