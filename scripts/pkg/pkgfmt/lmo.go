package pkgfmt

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// LMO compiles a gettext .po file into LuCI's .lmo catalog, as luci-base's
// po2lmo does for luci.mk: each translation (4-byte aligned) in the order of
// the .po, then an index of {key hash, plural index + 1, offset, length}
// sorted by key hash, then the index's offset; big-endian. The key is the
// msgid (msgctxt "\x01" msgid with a context, "\x02" N for plural form N),
// hashed with sfhHash; translations equal to their key are left out, and
// the header's Plural-Forms becomes the entry with key 0. It returns nil
// when nothing is translated (po2lmo then writes no file).
func LMO(po []byte) ([]byte, error) {
	type entry struct{ key, val, off, length uint32 }
	var (
		data    []byte
		index   []entry
		m       poMsg
		lineNum int
	)
	add := func(key, val uint32, s string) {
		index = append(index, entry{key, val, uint32(len(data)), uint32(len(s))})
		data = append(data, s...)
		for len(data)%4 != 0 {
			data = append(data, 0)
		}
	}
	// flush writes the message read so far, if any (a msgctxt alone stays
	// for the msgid that follows it)
	flush := func() {
		if m.id == nil && m.vals[0] == nil {
			return
		}
		defer func() { m = poMsg{plural: -1} }()
		if m.vals[0] == nil || *m.vals[0] == "" {
			return // po2lmo needs a first translation
		}
		if m.id != nil && *m.id != "" {
			for i := 0; i <= m.plural && i < len(m.vals); i++ {
				if m.vals[i] == nil || *m.vals[i] == "" {
					continue
				}
				key := *m.id
				switch {
				case m.ctxt != nil && m.idPlural != nil:
					key = *m.ctxt + "\x01" + key + "\x02" + strconv.Itoa(i)
				case m.ctxt != nil:
					key = *m.ctxt + "\x01" + key
				case m.idPlural != nil:
					key += "\x02" + strconv.Itoa(i)
				}
				v := *m.vals[i]
				if k := sfhHash([]byte(key)); k != sfhHash([]byte(v)) {
					add(k, uint32(m.plural+1), v)
				}
			}
			return
		}
		// the header: its Plural-Forms line (each line ends in a written \n)
		lines := strings.Split(*m.vals[0], `\n`)
		for _, l := range lines[:len(lines)-1] {
			if len(l) >= 14 && strings.EqualFold(l[:14], "Plural-Forms: ") {
				add(0, 0, l[14:])
				break
			}
		}
	}
	m = poMsg{plural: -1}
	sc := bufio.NewScanner(bytes.NewReader(po))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		lineNum++
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, `msgctxt "`):
			flush()
			m.ctxt = nil
			m.cur = &m.ctxt
		case strings.HasPrefix(l, `msgid "`):
			flush()
			m.id = nil
			m.cur = &m.id
		case strings.HasPrefix(l, `msgid_plural "`):
			m.idPlural = nil
			m.cur = &m.idPlural
		case strings.HasPrefix(l, `msgstr "`), strings.HasPrefix(l, "msgstr["):
			n := 0
			if l[6] == '[' {
				end := strings.IndexByte(l, ']')
				var err error
				if n, err = strconv.Atoi(l[7:max(end, 7)]); err != nil || n >= len(m.vals) {
					return nil, fmt.Errorf("line %d: bad plural index", lineNum)
				}
			}
			m.plural = n
			m.vals[n] = nil
			m.cur = &m.vals[n]
		}
		if m.cur == nil || strings.HasPrefix(l, "#") {
			continue
		}
		if s, ok := poString(l); ok && s != "" {
			if *m.cur == nil {
				*m.cur = new(string)
			}
			**m.cur += s
		} else if ok && *m.cur == nil {
			*m.cur = new(string)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	flush()
	if len(data) == 0 {
		return nil, nil
	}
	sort.SliceStable(index, func(i, j int) bool { return index[i].key < index[j].key })
	out := data
	for _, e := range index {
		for _, v := range []uint32{e.key, e.val, e.off, e.length} {
			out = binary.BigEndian.AppendUint32(out, v)
		}
	}
	return binary.BigEndian.AppendUint32(out, uint32(len(data))), nil
}

type poMsg struct {
	plural             int
	ctxt, id, idPlural *string
	vals               [10]*string
	cur                **string
}

// poString returns the text between the first quote of l and the next
// unescaped one, as po2lmo reads it: \" and \\ lose their backslash, other
// escapes (\n) stay as written.
func poString(l string) (string, bool) {
	i := strings.IndexByte(l, '"')
	if i < 0 {
		return "", false
	}
	var b strings.Builder
	for j := i + 1; j < len(l); j++ {
		c := l[j]
		switch {
		case c == '\\' && j+1 < len(l) && (l[j+1] == '"' || l[j+1] == '\\'):
			b.WriteByte(l[j+1])
			j++
		case c == '\\' && j+1 < len(l):
			b.WriteByte(c)
			b.WriteByte(l[j+1])
			j++
		case c == '"':
			return b.String(), true
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// sfhHash is Paul Hsieh's SuperFastHash seeded with the length, as LuCI's
// lmo.c computes it (16-bit little-endian reads, sign-extended tail bytes).
func sfhHash(d []byte) uint32 {
	n := len(d)
	if n == 0 {
		return 0
	}
	h := uint32(n)
	get16 := func(p []byte) uint32 { return uint32(p[0]) | uint32(p[1])<<8 }
	signed := func(b byte) uint32 { return uint32(int32(int8(b))) }
	for ; len(d) >= 4; d = d[4:] {
		h += get16(d)
		tmp := get16(d[2:])<<11 ^ h
		h = h<<16 ^ tmp
		h += h >> 11
	}
	switch len(d) {
	case 3:
		h += get16(d)
		h ^= h << 16
		h ^= signed(d[2]) << 18
		h += h >> 11
	case 2:
		h += get16(d)
		h ^= h << 11
		h += h >> 17
	case 1:
		h += signed(d[0])
		h ^= h << 10
		h += h >> 1
	}
	h ^= h << 3
	h += h >> 5
	h ^= h << 4
	h += h >> 17
	h ^= h << 25
	h += h >> 6
	return h
}
