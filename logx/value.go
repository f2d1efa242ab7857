package logx

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendValue formats v as slog's TextHandler would, for the types the
// router logs, without reflection; anything else goes through fmt.Sprint.
// []byte is written as hex (slog would quote it as a string).
func appendValue(b []byte, v any) (out []byte) {
	n := len(b)
	defer func() {
		if recover() != nil { // a String or Error method panicked
			out = append(b[:n], "!PANIC"...)
		}
	}()
	switch v := v.(type) {
	case nil:
		return append(b, "<nil>"...)
	case string:
		return appendString(b, v)
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return appendInt(b, int64(v))
	case int8:
		return appendInt(b, int64(v))
	case int16:
		return appendInt(b, int64(v))
	case int32:
		return appendInt(b, int64(v))
	case int64:
		return appendInt(b, v)
	case uint:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint8:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint16:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint64:
		return strconv.AppendUint(b, v, 10)
	case float64:
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	case float32:
		return strconv.AppendFloat(b, float64(v), 'g', -1, 64)
	case time.Duration:
		return append(b, v.String()...)
	case time.Time:
		return appendTime(b, v)
	case []byte:
		return hex.AppendEncode(b, v)
	}
	return appendOther(b, v)
}

// appendOther handles addresses (text form, "" when invalid, like their
// MarshalText), errors, Stringers and the rest.
func appendOther(b []byte, v any) []byte {
	switch v := v.(type) {
	case netip.Addr:
		if !v.IsValid() {
			return append(b, `""`...)
		}
		return v.AppendTo(b)
	case netip.Prefix:
		if !v.IsValid() {
			return append(b, `""`...)
		}
		return v.AppendTo(b)
	case netip.AddrPort:
		if !v.IsValid() {
			return append(b, `""`...)
		}
		return v.AppendTo(b)
	case error:
		return appendString(b, v.Error())
	case fmt.Stringer:
		return appendString(b, v.String())
	}
	return appendString(b, fmt.Sprint(v))
}

func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

// appendString writes s bare, or Go-quoted when it is empty or holds a
// space, '=', '"', a control character, invalid UTF-8 or a non-printable
// rune: the rule of slog's TextHandler, so each line splits on spaces.
func appendString(b []byte, s string) []byte {
	if needsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			// DEL passes bare, as in slog (JSON's safe set)
			if c <= ' ' || c == '=' || c == '"' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || !strconv.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}
