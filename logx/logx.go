// Package logx is a small structured logger for the router binary. It writes
// the same logfmt lines as log/slog's TextHandler
//
//	time=2026-11-25T14:56:28.070Z level=INFO msg="tunnel up" ifname=sstp0 local=10.0.0.2
//
// without slog's reflection-driven machinery, which costs about 328 KB of a
// mipsle binary. A nil *Logger discards everything, so zero-value configs work.
package logx

import (
	"errors"
	"io"
	"strings"
	"sync"
	"time"
)

// Level is the importance of a record; the values are slog's.
type Level int

// The levels, numbered as in log/slog.
const (
	LevelDebug Level = -4
	LevelInfo  Level = 0
	LevelWarn  Level = 4
	LevelError Level = 8
)

// ErrLevel is returned by ParseLevel for an unknown name.
var ErrLevel = errors.New("logx: unknown level: want debug, info, warn or error")

// String returns DEBUG, INFO, WARN or ERROR, and for other values the
// nearest lower one with an offset ("INFO+2"), as slog does.
func (l Level) String() string {
	name, base := "DEBUG", LevelDebug
	switch {
	case l >= LevelError:
		name, base = "ERROR", LevelError
	case l >= LevelWarn:
		name, base = "WARN", LevelWarn
	case l >= LevelInfo:
		name, base = "INFO", LevelInfo
	}
	if l == base {
		return name
	}
	var b []byte
	b = append(b, name...)
	b = appendOffset(b, int(l-base))
	return string(b)
}

func appendOffset(b []byte, n int) []byte {
	if n > 0 {
		b = append(b, '+')
	}
	return appendInt(b, int64(n))
}

// ParseLevel reads debug, info, warn (or warning) and error, in any case.
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return LevelDebug, nil
	case "info":
		return LevelInfo, nil
	case "warn", "warning":
		return LevelWarn, nil
	case "error":
		return LevelError, nil
	}
	return LevelInfo, ErrLevel
}

// output is the writer shared by a logger and everything derived by With.
type output struct {
	mu sync.Mutex
	w  io.Writer
}

// Logger writes one logfmt line per record with a single Write call. It is
// safe for concurrent use; a nil *Logger discards everything.
type Logger struct {
	out   *output
	level Level
	attrs []byte // preformatted " k=v" pairs from With
}

// New returns a logger that writes records at level and above to w. A nil w
// gives a nil (discarding) logger.
func New(w io.Writer, level Level) *Logger {
	if w == nil {
		return nil
	}
	return &Logger{out: &output{w: w}, level: level}
}

// Enabled reports whether a record at level would be written.
func (l *Logger) Enabled(level Level) bool {
	return l != nil && level >= l.level
}

// With returns a logger that adds the key-value pairs kv to every record.
func (l *Logger) With(kv ...any) *Logger {
	if l == nil {
		return nil
	}
	c := *l
	c.attrs = appendPairs(l.attrs[:len(l.attrs):len(l.attrs)], kv)
	return &c
}

// Debug logs msg and the key-value pairs kv at LevelDebug.
func (l *Logger) Debug(msg string, kv ...any) { l.log(LevelDebug, msg, kv) }

// Info logs msg and the key-value pairs kv at LevelInfo.
func (l *Logger) Info(msg string, kv ...any) { l.log(LevelInfo, msg, kv) }

// Warn logs msg and the key-value pairs kv at LevelWarn.
func (l *Logger) Warn(msg string, kv ...any) { l.log(LevelWarn, msg, kv) }

// Error logs msg and the key-value pairs kv at LevelError.
func (l *Logger) Error(msg string, kv ...any) { l.log(LevelError, msg, kv) }

// now is the clock; tests replace it.
var now = time.Now

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

func (l *Logger) log(level Level, msg string, kv []any) {
	if !l.Enabled(level) {
		return
	}
	p := bufPool.Get().(*[]byte)
	b := appendRecord((*p)[:0], now(), level, msg, l.attrs, kv)
	l.out.mu.Lock()
	l.out.w.Write(b) // a logger has nowhere to report its own failure
	l.out.mu.Unlock()
	if cap(b) <= 4096 {
		*p = b
		bufPool.Put(p)
	}
}

// appendRecord formats one line: time, level, msg, the With pairs, kv.
func appendRecord(b []byte, t time.Time, level Level, msg string, attrs []byte, kv []any) []byte {
	if !t.IsZero() {
		b = append(b, "time="...)
		b = appendTime(b, t)
		b = append(b, ' ')
	}
	b = append(b, "level="...)
	b = append(b, level.String()...)
	b = append(b, " msg="...)
	b = appendString(b, msg)
	b = append(b, attrs...)
	b = appendPairs(b, kv)
	return append(b, '\n')
}

// appendTime writes RFC 3339 with milliseconds, like slog (truncated, local zone).
func appendTime(b []byte, t time.Time) []byte {
	return t.Round(0).AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
}

// badKey is slog's key for a value that has none.
const badKey = "!BADKEY"

// unreserved renames a key that would repeat one of the line's own keys:
// parsers take the last of two "msg" keys, so a call site passing "msg" as a
// key would replace the message. Call sites should name such a value
// (type=, text=); this only guarantees one msg, time and level per line.
func unreserved(key string) string {
	switch key {
	case "msg":
		return "text"
	case "time":
		return "at"
	case "level":
		return "lvl"
	}
	return key
}

// appendPairs appends " key=value" for each pair of kv, following slog's
// rules for a missing or non-string key.
func appendPairs(b []byte, kv []any) []byte {
	for len(kv) > 0 {
		key, ok := kv[0].(string)
		var v any
		switch {
		case !ok:
			key, v, kv = badKey, kv[0], kv[1:]
		case len(kv) == 1:
			key, v, kv = badKey, key, nil
		default:
			v, kv = kv[1], kv[2:]
		}
		b = append(b, ' ')
		b = appendString(b, unreserved(key))
		b = append(b, '=')
		b = appendValue(b, v)
	}
	return b
}
