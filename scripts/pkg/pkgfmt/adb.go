package pkgfmt

import "encoding/binary"

// ADB value tags (apk-tools doc/apk-v3.5: 32-bit little-endian words, type in
// the high 4 bits, value or offset in the low 28).
const (
	adbTypeSpecial = 0x00000000
	adbTypeInt     = 0x10000000
	adbTypeInt32   = 0x20000000
	adbTypeInt64   = 0x30000000
	adbTypeBlob8   = 0x80000000
	adbTypeBlob16  = 0x90000000
	adbTypeBlob32  = 0xa0000000
	adbTypeArray   = 0xd0000000
	adbTypeObject  = 0xe0000000
	adbValueMask   = 0x0fffffff
	adbNull        = adbTypeSpecial
)

// Block types (2 high bits of the block header word) and alignment.
const (
	adbBlockADB   = 0
	adbBlockSig   = 1
	adbBlockData  = 2
	adbBlockAlign = 8
)

// adbWriter builds the payload of an ADB block: an 8-byte adb_hdr
// (compat version 0, version 0, reserved, root value) then the values, each
// aligned to its own size. Offsets in value tags count from the payload start.
// Like apk-tools' adb_w_data, a value whose bytes were written before at a
// suitably aligned offset is not written again: "root" and each distinct
// {mode, user, group} are stored once.
type adbWriter struct {
	b    []byte
	seen map[string][]int // value bytes -> offsets holding them
}

func newADBWriter() *adbWriter {
	return &adbWriter{b: make([]byte, 8, 4096), seen: map[string][]int{}}
}

func (w *adbWriter) align(n int) {
	for len(w.b)%n != 0 {
		w.b = append(w.b, 0)
	}
}

// data writes the concatenation of parts aligned to align, or returns the
// offset of an identical earlier copy that is aligned.
func (w *adbWriter) data(align int, parts ...[]byte) int {
	var k []byte
	for _, p := range parts {
		k = append(k, p...)
	}
	for _, off := range w.seen[string(k)] {
		if off%align == 0 {
			return off
		}
	}
	w.align(align)
	off := len(w.b)
	w.b = append(w.b, k...)
	w.seen[string(k)] = append(w.seen[string(k)], off)
	return off
}

// Int writes an integer: inline below 2^28, else as a 32/64-bit value.
func (w *adbWriter) Int(v uint64) uint32 {
	switch {
	case v <= adbValueMask:
		return adbTypeInt | uint32(v)
	case v <= 0xffffffff:
		return adbTypeInt32 | uint32(w.data(4, binary.LittleEndian.AppendUint32(nil, uint32(v))))
	default:
		return adbTypeInt64 | uint32(w.data(8, binary.LittleEndian.AppendUint64(nil, v)))
	}
}

// Blob writes a length-prefixed byte string; an empty one is NULL.
func (w *adbWriter) Blob(p []byte) uint32 {
	switch n := len(p); {
	case n == 0:
		return adbNull
	case n <= 0xff:
		return adbTypeBlob8 | uint32(w.data(1, []byte{byte(n)}, p))
	case n <= 0xffff:
		return adbTypeBlob16 | uint32(w.data(2, binary.LittleEndian.AppendUint16(nil, uint16(n)), p))
	default:
		return adbTypeBlob32 | uint32(w.data(4, binary.LittleEndian.AppendUint32(nil, uint32(n)), p))
	}
}

// Str is Blob of a string.
func (w *adbWriter) Str(s string) uint32 { return w.Blob([]byte(s)) }

// obj writes slots (slot 0, the count, is filled in here) with trailing
// NULLs dropped, as apk's __adb_w_obj does; an object with no slot is NULL.
func (w *adbWriter) obj(typ uint32, slots []uint32) uint32 {
	n := len(slots)
	for n > 0 && slots[n-1] == adbNull {
		n--
	}
	if n == 0 {
		return adbNull
	}
	b := binary.LittleEndian.AppendUint32(make([]byte, 0, 4*(n+1)), uint32(n+1))
	for _, v := range slots[:n] {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return typ | uint32(w.data(4, b))
}

// Object writes an object whose field i (1-based) is fields[i-1].
func (w *adbWriter) Object(fields ...uint32) uint32 { return w.obj(adbTypeObject, fields) }

// Array writes an array of items (NULL items are skipped, as apk does).
func (w *adbWriter) Array(items []uint32) uint32 {
	var kept []uint32
	for _, v := range items {
		if v != adbNull {
			kept = append(kept, v)
		}
	}
	return w.obj(adbTypeArray, kept)
}

// Root sets the root value in the header and returns the payload.
func (w *adbWriter) Root(v uint32) []byte {
	binary.LittleEndian.PutUint32(w.b[4:], v)
	return w.b
}

// appendBlock appends a block: a 4-byte header (type in the 2 high bits,
// size including the header in the low 30) and the payload, padded with
// zeros to 8 bytes.
func appendBlock(b []byte, typ uint32, payload ...[]byte) []byte {
	n := 4
	for _, p := range payload {
		n += len(p)
	}
	b = binary.LittleEndian.AppendUint32(b, typ<<30|uint32(n))
	for _, p := range payload {
		b = append(b, p...)
	}
	for ; n%adbBlockAlign != 0; n++ {
		b = append(b, 0)
	}
	return b
}
